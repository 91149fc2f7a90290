package io.inmesh.tls.internal;

import io.inmesh.tls.SpiffeId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Trusts a peer whose chain leads to the current trust bundle and whose leaf carries exactly one SPIFFE ID, with the
 * extended key usage its role needs. Never checks host names: peers are mesh workloads, verified by identity. With
 * {@code expectedByHost}, a server must also present the SPIFFE ID that function gives for the host the client dialled
 * (the host of the handshake session), and a host it gives none for is refused.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";

  private final CurrentIdentity identity;
  private final Clock clock;
  private final @Nullable Function<String, @Nullable SpiffeId> expectedByHost;
  private final boolean keyedByAddress;

  public SpiffeTrustManager(CurrentIdentity identity, Clock clock,
      @Nullable Function<String, @Nullable SpiffeId> expectedByHost) {
    this(identity, clock, expectedByHost, false);
  }

  /**
   * @param keyedByAddress pass {@code host:port} to {@code expectedByHost} instead of the host: for clients that dial
   *     endpoint addresses (java.net.http has no pluggable DNS), where several services may share one IP
   */
  public SpiffeTrustManager(CurrentIdentity identity, Clock clock,
      @Nullable Function<String, @Nullable SpiffeId> expectedByHost, boolean keyedByAddress) {
    this.identity = identity;
    this.clock = clock;
    this.expectedByHost = expectedByHost;
    this.keyedByAddress = keyedByAddress;
  }

  /** Validates a peer's chain; returns its SPIFFE ID. */
  public SpiffeId validate(X509Certificate @Nullable [] chain, boolean peerIsServer) throws CertificateException {
    CurrentIdentity.State s = identity.state();
    if (s.current() == null) {
      throw new CertificateException("no workload identity, so no trust bundle: " + s.unavailableReason());
    }
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the peer presented no certificate");
    }
    CertificateChecks.validatePath(Arrays.asList(chain), s.anchors(), clock.instant());
    X509Certificate leaf = chain[0];
    SpiffeId id = SpiffeId.fromCertificate(leaf);
    if (id == null) {
      throw new CertificateException("certificate " + CertificateChecks.describe(leaf)
          + " has no SPIFFE ID (expected: exactly one URI SAN spiffe://<trust-domain>/<path>)");
    }
    List<String> usages = leaf.getExtendedKeyUsage();
    String needed = peerIsServer ? SERVER_AUTH : CLIENT_AUTH;
    if (usages != null && !usages.contains(needed) && !usages.contains(ANY_USAGE)) {
      throw new CertificateException("certificate " + CertificateChecks.describe(leaf) + " may not be used for "
          + (peerIsServer ? "serverAuth" : "clientAuth"));
    }
    return id;
  }

  private void checkServer(X509Certificate[] chain, @Nullable String peerHost) throws CertificateException {
    SpiffeId actual = validate(chain, true);
    if (expectedByHost == null) {
      return;
    }
    if (peerHost == null) {
      throw new CertificateException("cannot verify the server's identity: the handshake names no peer host");
    }
    SpiffeId expected = expectedByHost.apply(peerHost);
    if (expected == null) {
      throw new CertificateException("no mesh identity is known for host '" + peerHost + "'");
    }
    if (!expected.equals(actual)) {
      throw new SpiffeIdMismatchException(expected, actual);
    }
  }

  private @Nullable String host(@Nullable Socket socket) {
    if (socket instanceof SSLSocket ssl) {
      SSLSession session = ssl.getHandshakeSession();
      return session == null ? null : key(session.getPeerHost(), session.getPeerPort());
    }
    return null;
  }

  private @Nullable String key(@Nullable String host, int port) {
    if (host == null || !keyedByAddress) {
      return host;
    }
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    validate(chain, false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
      throws CertificateException {
    validate(chain, false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
      throws CertificateException {
    validate(chain, false);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkServer(chain, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
      throws CertificateException {
    checkServer(chain, host(socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
      throws CertificateException {
    checkServer(chain, engine != null ? key(engine.getPeerHost(), engine.getPeerPort()) : null);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return identity.state().issuers().clone();
  }
}
