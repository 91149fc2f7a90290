package io.inmesh.cli;

import static io.inmesh.cli.CliRun.mesh;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.tls.internal.DevCa;
import io.inmesh.tls.internal.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaCommandTest {
  @TempDir Path dir;

  @Test
  void initCreatesARootCaWhoseKeyOnlyTheOwnerCanRead() throws Exception {
    Path ca = dir.resolve("ca");

    CliRun run = mesh("ca", "init", "--dir", ca.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("created dev CA in " + ca + ": ca.crt, ca.key (mode 0600)");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.resolve("ca.key"))))
        .isEqualTo("rw-------");
    assertThat(Pem.readCertificates(ca.resolve("ca.crt")).get(0).getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(DevCa.load(ca).certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void initRefusesToOverwriteAnExistingCa() {
    mesh("ca", "init", "--dir", dir.toString());
    String before = dir.resolve("ca.key").toFile().length() + "";

    CliRun again = mesh("ca", "init", "--dir", dir.toString());

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("exists").contains("remove it first");
    assertThat(dir.resolve("ca.key").toFile().length() + "").isEqualTo(before);
  }

  @Test
  void initWithoutDirIsAUsageError() {
    CliRun run = mesh("ca", "init");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--dir");
  }
}
