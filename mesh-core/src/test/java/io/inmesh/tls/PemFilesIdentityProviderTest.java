package io.inmesh.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.inmesh.tls.internal.Certificates;
import io.inmesh.tls.internal.DevCa;
import io.inmesh.tls.internal.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesIdentityProviderTest {
  private static final SpiffeId ID = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/catalog");

  @TempDir Path dir;
  private DevCa ca;
  private DevCa otherCa;
  private Path chain;
  private Path key;
  private Path bundle;
  private IdentityProvider provider;

  @BeforeEach
  void setUp() throws Exception {
    ca = DevCa.init(dir.resolve("ca"), Instant.now());
    otherCa = DevCa.init(dir.resolve("other-ca"), Instant.now());
    chain = dir.resolve("tls/tls.crt");
    key = dir.resolve("tls/tls.key");
    bundle = dir.resolve("tls/ca.crt");
    write(ca.issue(ID, Instant.now(), Duration.ofHours(1)));
    provider = IdentityProvider.pemFiles(chain, key, bundle, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    provider.close();
  }

  private void write(WorkloadCertificate wc) throws Exception {
    write(wc.chain(), wc.privateKey(), wc.trustBundle());
  }

  private void write(List<X509Certificate> certs, PrivateKey privateKey, List<X509Certificate> trust)
      throws Exception {
    Pem.writeCertificates(chain, certs);
    Pem.writePrivateKey(key, privateKey);
    Pem.writeCertificates(bundle, trust);
  }

  @Test
  void loadsAValidSetOfFiles() {
    WorkloadCertificate wc = provider.start(update -> {});

    assertThat(wc.spiffeId()).isEqualTo(ID);
    assertThat(provider.status().healthy()).isTrue();
    assertThat(provider.status().identity()).isEqualTo(ID);
  }

  @Test
  void refusesAKeyThatDoesNotMatchTheCertificate() throws Exception {
    WorkloadCertificate wc = ca.issue(ID, Instant.now(), Duration.ofHours(1));
    write(wc.chain(), Certificates.newKeyPair().getPrivate(), wc.trustBundle());

    assertThatThrownBy(() -> provider.start(update -> {}))
        .isInstanceOf(IdentityException.class).hasMessageContaining("does not match");
  }

  @Test
  void refusesAnExpiredCertificate() throws Exception {
    write(ca.issue(ID, Instant.now().minus(Duration.ofHours(2)), Instant.now().minus(Duration.ofHours(1))));

    assertThatThrownBy(() -> provider.start(update -> {}))
        .isInstanceOf(IdentityException.class).hasMessageContaining("expired");
  }

  @Test
  void refusesACertificateWithoutSpiffeId() throws Exception {
    DevCa.KeyedCertificate plain = ca.issueWithoutSpiffeId(Instant.now(), Instant.now().plusSeconds(3600));
    write(List.of(plain.certificate()), plain.privateKey(), List.of(ca.certificate()));

    assertThatThrownBy(() -> provider.start(update -> {}))
        .isInstanceOf(IdentityException.class).hasMessageContaining("no SPIFFE ID");
  }

  @Test
  void refusesACertificateThatDoesNotChainToTheBundle() throws Exception {
    WorkloadCertificate wc = ca.issue(ID, Instant.now(), Duration.ofHours(1));
    write(wc.chain(), wc.privateKey(), List.of(otherCa.certificate()));

    assertThatThrownBy(() -> provider.start(update -> {}))
        .isInstanceOf(IdentityException.class).hasMessageContaining("does not chain to the trust bundle");
  }

  @Test
  void picksUpAFileSwapWithoutRestart() throws Exception {
    List<WorkloadCertificate> updates = new CopyOnWriteArrayList<>();
    WorkloadCertificate first = provider.start(updates::add);

    WorkloadCertificate second = ca.issue(ID, Instant.now(), Duration.ofHours(2));
    write(second);

    await().atMost(Duration.ofSeconds(10)).until(() -> !updates.isEmpty());
    assertThat(updates.get(updates.size() - 1).serial()).isEqualTo(second.serial()).isNotEqualTo(first.serial());
    assertThat(provider.status().updates()).isGreaterThanOrEqualTo(2);
    assertThat(provider.status().serial()).isEqualTo(second.serial());
  }

  @Test
  void aBadSwapKeepsTheOldIdentityReportsTheErrorAndWarnsOnce() throws Exception {
    List<WorkloadCertificate> updates = new CopyOnWriteArrayList<>();
    WorkloadCertificate first = provider.start(updates::add);
    PrivateKey strayKey = Certificates.newKeyPair().getPrivate();

    var captured = TlsFixtures.captureLog(() -> {
      // A new certificate with a key that is not its own, written twice (two change events, one error).
      WorkloadCertificate next = ca.issue(ID, Instant.now(), Duration.ofHours(2));
      write(next.chain(), strayKey, next.trustBundle());
      await().atMost(Duration.ofSeconds(10)).until(() -> provider.status().lastError() != null);
      Files.writeString(bundle, Pem.certificates(next.trustBundle()) + "\n");
      await().pollDelay(Duration.ofMillis(600)).atMost(Duration.ofSeconds(10))
          .until(() -> provider.status().lastErrorAt() != null);
      return null;
    });

    assertThat(updates).isEmpty();
    assertThat(provider.status().serial()).isEqualTo(first.serial());
    assertThat(provider.status().lastError()).contains("does not match");
    assertThat(captured.log().lines().filter(l -> l.contains("WARN")).count()).isEqualTo(1);
    assertThat(captured.log()).contains("keeping serial " + first.serial())
        .doesNotContain(Base64.getMimeEncoder().encodeToString(strayKey.getEncoded()).substring(0, 40));
  }
}
