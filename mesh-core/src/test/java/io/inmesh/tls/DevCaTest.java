package io.inmesh.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.tls.internal.CertificateChecks;
import io.inmesh.tls.internal.DevCa;
import io.inmesh.tls.internal.Pem;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCaTest {
  @TempDir Path dir;

  @Test
  void initWritesALongLivedP256RootWithAKeyOnlyTheOwnerCanRead() throws Exception {
    Instant now = Instant.now();
    DevCa.init(dir.resolve("ca"), now);

    Path key = dir.resolve("ca").resolve(DevCa.KEY_FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    var cert = Pem.readCertificates(dir.resolve("ca").resolve(DevCa.CERT_FILE)).get(0);
    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(cert.getPublicKey().toString()).contains("secp256r1");
    assertThat(cert.getNotAfter().toInstant()).isAfter(now.plus(Duration.ofDays(3000)));
    assertThat(Pem.readPrivateKey(key).getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void initRefusesToOverwriteAnExistingCa() throws Exception {
    DevCa.init(dir, Instant.now());
    assertThatThrownBy(() -> DevCa.init(dir, Instant.now()))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("ca.crt");
  }

  @Test
  void concurrentFirstStartsCreateOneCa() throws Exception {
    Path shared = dir.resolve("shared");
    java.util.List<java.util.concurrent.Callable<DevCa.Loaded>> starts = java.util.Collections.nCopies(8,
        () -> DevCa.loadOrInit(shared, Instant.now()));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      java.util.List<DevCa.Loaded> loaded = new java.util.ArrayList<>();
      for (var f : pool.invokeAll(starts)) {
        loaded.add(f.get());
      }
      assertThat(loaded).filteredOn(DevCa.Loaded::created).hasSize(1);
      assertThat(loaded).extracting(l -> l.ca().certificate()).containsOnly(loaded.get(0).ca().certificate());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void loadingAMissingCaSaysHowToCreateOne() {
    assertThatThrownBy(() -> DevCa.load(dir.resolve("nope")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("mesh ca init --dir " + dir.resolve("nope"));
  }

  @Test
  void issuesAShortLivedSvidThatChainsToTheRootAndCarriesOneSpiffeUriSan() throws Exception {
    DevCa.init(dir, Instant.now());
    DevCa ca = DevCa.load(dir);
    SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/catalog");
    Instant now = Instant.now();

    WorkloadCertificate wc = ca.issue(id, now, Duration.ofHours(24));

    assertThat(wc.spiffeId()).isEqualTo(id);
    assertThat(wc.notAfter()).isBetween(now.plus(Duration.ofHours(24)).minusSeconds(1),
        now.plus(Duration.ofHours(24)));
    assertThat(wc.leaf().getBasicConstraints()).isEqualTo(-1);
    assertThat(wc.leaf().getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(wc.trustBundle()).containsExactly(ca.certificate());
    CertificateChecks.check(wc, now, "test"); // throws when the key or the chain is wrong
  }

  @Test
  void aWorkloadCertificateNeverShowsItsPrivateKey() throws Exception {
    DevCa.init(dir, Instant.now());
    WorkloadCertificate wc = DevCa.load(dir).issue(SpiffeId.parse("spiffe://td/ns/a/sa/b"), Instant.now(),
        Duration.ofHours(1));
    String encoded = Base64.getEncoder().encodeToString(wc.privateKey().getEncoded());

    assertThat(wc.toString()).contains("spiffe://td/ns/a/sa/b", "<redacted>")
        .doesNotContain(encoded.substring(0, 40));
    assertThat(List.of(wc).toString()).doesNotContain(encoded.substring(0, 40));
  }
}
