package io.inmesh.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void parsesWhatTheCliPassesOn() {
    DemoOptions o = DemoOptions.parse("--duration", "30s", "--json", "--base-port", "18000", "--rps", "50",
        "--config", "x/mesh.yaml", "--state-dir", "st");

    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.json()).isTrue();
    assertThat(o.basePort()).isEqualTo(18000);
    assertThat(o.rps()).isEqualTo(50);
    assertThat(o.config()).isEqualTo(Path.of("x", "mesh.yaml").toAbsolutePath());
    assertThat(o.stateDir()).isEqualTo(Path.of("st").toAbsolutePath());
  }

  @Test
  void runsUntilInterruptedAtTheDefaultRateWithoutOptions() {
    DemoOptions o = DemoOptions.parse();

    assertThat(o.duration()).isNull();
    assertThat(o.json()).isFalse();
    assertThat(o.basePort()).isNull();
    assertThat(o.rps()).isEqualTo(DemoOptions.DEFAULT_RPS);
  }

  @Test
  void readsDurationsInEveryUnit() {
    assertThat(DemoOptions.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DemoOptions.duration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DemoOptions.duration("1h")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void refusesWhatItCannotRunWithTheOptionNamed() {
    assertThatThrownBy(() -> DemoOptions.parse("--duration", "soon")).hasMessageStartingWith("--duration: soon");
    assertThatThrownBy(() -> DemoOptions.parse("--duration", "0s")).hasMessageStartingWith("--duration:");
    assertThatThrownBy(() -> DemoOptions.parse("--base-port", "80")).hasMessageContaining("--base-port: 80");
    assertThatThrownBy(() -> DemoOptions.parse("--base-port", "65530")).hasMessageContaining("--base-port");
    assertThatThrownBy(() -> DemoOptions.parse("--rps", "0")).hasMessageContaining("--rps: 0");
    assertThatThrownBy(() -> DemoOptions.parse("--rps")).hasMessage("--rps: missing value");
    assertThatThrownBy(() -> DemoOptions.parse("--colour")).hasMessage("unknown option '--colour'");
  }

  @Test
  void aBasePortMovesEveryPortIntoItsRangeWithoutCollisions() {
    DemoPorts p = DemoPorts.of(20000);

    assertThat(p.all().values()).allSatisfy(port -> assertThat(port).isBetween(20000, 20000 + DemoPorts.RANGE - 1));
    assertThat(new HashSet<>(p.all().values())).hasSameSizeAs(p.all().values());
    assertThat(p.server("frontend")).isEqualTo(20000);
    assertThat(p.admin("frontend")).isEqualTo(20010);
    assertThat(p.variables()).containsEntry("DEMO_PAYMENTS_B_PORT", "20005");
  }

  @Test
  void theDefaultPortsAreTheOnesSamplesMeshYamlFallsBackTo() throws Exception {
    String yaml = Files.readString(Path.of("mesh.yaml"));
    DemoPorts defaults = DemoPorts.of(null);
    int found = 0;
    Matcher m = Pattern.compile("\\$\\{(DEMO_[A-Z0-9_]+_PORT):(\\d+)}").matcher(yaml);
    while (m.find()) {
      assertThat(defaults.variables()).containsEntry(m.group(1), m.group(2));
      found++;
    }
    assertThat(found).isEqualTo(DemoPorts.SERVERS.size());
    assertThat(yaml).contains("${INMESH_ADMIN_PORT:" + defaults.admin("frontend") + "}");
  }
}
