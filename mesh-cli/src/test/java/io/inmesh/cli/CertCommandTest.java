package io.inmesh.cli;

import static io.inmesh.cli.CliRun.mesh;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.tls.IdentityProvider;
import io.inmesh.tls.SpiffeId;
import io.inmesh.tls.WorkloadCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertCommandTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/catalog";
  @TempDir Path dir;

  @BeforeEach
  void createCa() {
    assertThat(mesh("ca", "init", "--dir", dir.resolve("ca").toString()).exitCode()).isZero();
  }

  @Test
  void issueWritesPemFilesThatThePemProviderAccepts() throws Exception {
    String prefix = dir.resolve("out/catalog").toString();

    CliRun run = mesh("cert", "issue", "--ca", dir.resolve("ca").toString(), "--spiffe-id", ID, "--out", prefix,
        "--ttl", "2h");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("issued " + ID);
    Path key = Path.of(prefix + "-key.pem");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    try (IdentityProvider provider = IdentityProvider.pemFiles(Path.of(prefix + "-chain.pem"), key,
        Path.of(prefix + "-bundle.pem"), Clock.systemUTC())) {
      WorkloadCertificate wc = provider.start(update -> {});
      assertThat(wc.spiffeId()).isEqualTo(SpiffeId.parse(ID));
      assertThat(wc.notAfter()).isBetween(Instant.now().plus(Duration.ofMinutes(119)),
          Instant.now().plus(Duration.ofHours(2)));
    }
    assertThat(run.out() + run.err()).doesNotContain("PRIVATE KEY");
  }

  @Test
  void aMalformedSpiffeIdIsAUsageErrorNamingTheProblem() {
    CliRun run = mesh("cert", "issue", "--ca", dir.resolve("ca").toString(), "--spiffe-id", "spiffe://Bad/x",
        "--out", dir.resolve("x").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--spiffe-id").contains("trust domain 'Bad'");
  }

  @Test
  void aMissingCaFailsAndSaysHowToCreateOne() {
    CliRun run = mesh("cert", "issue", "--ca", dir.resolve("nope").toString(), "--spiffe-id", ID,
        "--out", dir.resolve("x").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("mesh ca init --dir " + dir.resolve("nope"));
  }

  @Test
  void aTtlBelowOneSecondIsAUsageError() {
    CliRun run = mesh("cert", "issue", "--ca", dir.resolve("ca").toString(), "--spiffe-id", ID,
        "--out", dir.resolve("x").toString(), "--ttl", "10ms");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("at least 1s");
  }
}
