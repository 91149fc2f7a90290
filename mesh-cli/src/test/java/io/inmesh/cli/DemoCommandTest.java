package io.inmesh.cli;

import static io.inmesh.cli.CliRun.mesh;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

  @Test
  void isListedInTheHelpAndDocumentsItsOptions() {
    assertThat(mesh("--help").outLines()).anySatisfy(line -> assertThat(line).startsWith("  demo  "));

    CliRun help = mesh("demo", "--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("--duration=DURATION", "--json", "--base-port=N", "--rps=N", "--config=FILE",
        "--state-dir=DIR", "failing 20% with");
  }

  @Test
  void outsideASourceCheckoutItSaysHowToRunTheDemo() {
    String before = System.clearProperty(DemoCommand.HOME_PROPERTY);
    try {
      CliRun run = mesh("demo", "--duration", "1s");

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err()).contains("the demo is not built").contains("./mesh demo");
      assertThat(run.out()).isEmpty();
    } finally {
      if (before != null) {
        System.setProperty(DemoCommand.HOME_PROPERTY, before);
      }
    }
  }

  @Test
  void passesTheGivenOptionsOnWithAbsolutePathsAndTheCheckoutsDefaults() {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs("--duration", "30s", "--json", "--base-port", "18000", "--config", "my.yaml");
    Path root = Path.of("/repo");

    assertThat(demo.arguments(root)).containsExactly("--duration", "30s", "--json", "--base-port", "18000",
        "--config", Path.of("my.yaml").toAbsolutePath().toString(), "--state-dir", "/repo/.inmesh");

    DemoCommand bare = new DemoCommand();
    new CommandLine(bare).parseArgs();
    assertThat(bare.arguments(root)).containsExactly("--config", "/repo/samples/mesh.yaml", "--state-dir",
        "/repo/.inmesh");
  }
}
