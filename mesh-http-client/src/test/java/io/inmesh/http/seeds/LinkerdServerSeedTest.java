package io.inmesh.http.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.SpiffeId;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * linkerd-server-authorization.yaml: the Server {@code backend-server} requires mTLS ({@code clientAuth: REQUIRED}) on
 * port 8080 of the {@code app: backend} workload. The mesh default here is PERMISSIVE (Linkerd's), so only that port
 * is strict. A meshed Jetty connector serves the mode the mesh gives port 8080 (on a free port: a test cannot count on
 * 8080 being free) and refuses plaintext and TLS without a client certificate; a connector in the mode of another port
 * accepts plaintext, so the refusal comes from the Server resource.
 */
class LinkerdServerSeedTest extends SeedTest {
  Mesh backend;
  Mesh frontend;

  @BeforeEach
  void start() {
    Path config = seeds.config("""
        mesh:
          defaults: {mtlsMode: PERMISSIVE}
          identity: {devCa: {directory: '%CA%'}}
        admin: {enabled: false}
        """, SeedMeshes.seed("linkerd-server-authorization.yaml"));
    backend = seeds.mesh(config, "backend", b -> b);
    frontend = seeds.mesh(config, "frontend", b -> b);
  }

  @Test
  void port8080RequiresMutualTlsAndOtherPortsKeepTheDefault() {
    MeshTls tls = backend.feature(MeshTls.class);

    assertThat(tls.inboundMode(8080).mode()).isEqualTo(MtlsMode.STRICT);
    assertThat(tls.inboundMode(9090).mode()).isEqualTo(MtlsMode.PERMISSIVE);
    assertThat(frontend.feature(MeshTls.class).inboundMode(8080).mode()).as("another workload")
        .isEqualTo(MtlsMode.PERMISSIVE);
  }

  @Test
  void theServersPortRefusesPlaintextAndTlsWithoutAClientCertificate() throws Exception {
    MeshTls tls = backend.feature(MeshTls.class);
    MeshedServer strict = seeds.closeLater(MeshedServer.start(backend, tls.inboundMode(8080).mode()));
    MeshedServer permissive = seeds.closeLater(MeshedServer.start(backend, tls.inboundMode(9090).mode()));

    String plaintext = RawHttp.exchange(RawHttp.plain(strict.port()), "GET", "/", "backend");
    String anonymousTls = RawHttp.exchange(RawHttp.tls(RawHttp.withoutClientCertificate(), strict.port()), "GET",
        "/", "backend");
    MeshTls frontendTls = frontend.feature(MeshTls.class);
    SSLSocket mutual = RawHttp.tls(frontendTls.sslContext(), strict.port());
    mutual.setSSLParameters(frontendTls.sslParameters());
    mutual.startHandshake();
    frontendTls.verifyPeer(mutual.getSession(), SpiffeId.parse("spiffe://cluster.local/ns/default/sa/backend"));
    String withIdentity = RawHttp.exchange(mutual, "GET", "/", "backend");

    System.out.printf("Linkerd Server port: plaintext -> %s; TLS without certificate -> %s; mTLS -> %s%n",
        ZeroTrustSeedTest.firstLine(plaintext), ZeroTrustSeedTest.firstLine(anonymousTls),
        ZeroTrustSeedTest.firstLine(withIdentity));
    assertThat(plaintext).doesNotStartWith("HTTP/");
    assertThat(anonymousTls).doesNotStartWith("HTTP/");
    assertThat(withIdentity).as("a client with a mesh identity gets an HTTP answer").startsWith("HTTP/1.1 ");
    assertThat(RawHttp.status(RawHttp.exchange(RawHttp.plain(permissive.port()), "GET", "/", "backend")))
        .as("plaintext on a port the Server does not select").isEqualTo(200);
  }
}
