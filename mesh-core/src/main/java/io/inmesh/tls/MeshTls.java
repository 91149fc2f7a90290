package io.inmesh.tls;

import io.inmesh.MeshEnvironment;
import io.inmesh.MeshFeature;
import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.MeshConfig;
import io.inmesh.tls.internal.CurrentIdentity;
import io.inmesh.tls.internal.IdentityKeyManager;
import io.inmesh.tls.internal.SpiffeIdMismatchException;
import io.inmesh.tls.internal.SpiffeTrustManager;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's identity and TLS: a built-in {@link MeshFeature}, found by adapters with
 * {@code mesh.feature(MeshTls.class)}.
 *
 * <p>One {@link #sslContext()} whose key manager presents the workload's current certificate and whose trust manager
 * verifies peers against the current trust bundle: a rotation (dev CA renewal, PEM file swap) takes effect for the next
 * handshake without a new client, server or context, and connections already open keep going. Peers are verified by
 * SPIFFE ID, never by host name.
 *
 * <p>The identity comes from {@code mesh.identity} ({@link IdentityProvider}). When mTLS is configured anywhere
 * ({@link PeerAuthentications#mtlsConfigured}), a missing identity fails the mesh's start-up (and a configuration
 * change that makes it unavailable is rejected); in a mesh whose {@code mesh.defaults.mtlsMode} is DISABLE and where no
 * PeerAuthentication enables mTLS, the mesh starts without an identity and every TLS handshake through these
 * managers fails, naming the reason.
 */
public final class MeshTls implements MeshFeature {
  private static final Logger log = LoggerFactory.getLogger(MeshTls.class);
  /** TLS 1.3 first; TLS 1.2 for peers that lack it. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  private static final int SESSION_TIMEOUT_SECONDS = 3600;

  private final Clock clock;
  private final CurrentIdentity identity;
  private final IdentityKeyManager keyManager;
  private final SpiffeTrustManager trustManager;
  private final SSLContext sslContext;
  private final @Nullable WorkloadIdentity workload;
  private final Object lock = new Object();
  private volatile @Nullable MeshSnapshot snapshot;
  private volatile @Nullable IdentityProvider provider;
  private @Nullable IdentityProvider starting;
  private @Nullable ProviderKey providerKey;
  private final @Nullable MeshEnvironment env;

  /** What a provider was made from: a change of any part means a new provider. */
  private record ProviderKey(MeshConfig.IdentityConfig config, SpiffeId id) {}

  private MeshTls(Clock clock, @Nullable MeshEnvironment env) {
    this.clock = clock;
    this.env = env;
    this.workload = env != null ? env.workload() : null;
    this.identity = new CurrentIdentity("no identity provider started");
    this.keyManager = new IdentityKeyManager(identity);
    this.trustManager = new SpiffeTrustManager(identity, clock, null);
    this.sslContext = newContext(keyManager, trustManager);
  }

  /** The factory {@link io.inmesh.Mesh} uses: the identity configured in {@code mesh.identity}. */
  public static MeshTls create(MeshEnvironment env) {
    MeshTls tls = new MeshTls(env.clock(), env);
    try {
      tls.onSnapshot(env.initialSnapshot());
    } catch (RuntimeException e) {
      tls.close();
      throw e;
    }
    return tls;
  }

  /** A standalone instance over {@code provider} (tools, tests, a server without a mesh). Starts it now. */
  public static MeshTls of(IdentityProvider provider, Clock clock) {
    MeshTls tls = new MeshTls(clock, null);
    synchronized (tls.lock) {
      tls.install(provider);
    }
    return tls;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void onSnapshot(MeshSnapshot next) {
    MeshEnvironment e = Objects.requireNonNull(env, "a standalone MeshTls has no snapshots");
    synchronized (lock) {
      MeshConfig config = next.config();
      ProviderKey key = new ProviderKey(config.mesh().identity(), e.workload().spiffeId(config.mesh().trustDomain()));
      boolean required = PeerAuthentications.mtlsConfigured(config);
      if (!key.equals(providerKey) || (required && provider == null)) {
        // Create a missing dev CA only for a first identity: a reload that points at another, missing CA must not
        // silently switch the workload to a new root its peers do not trust.
        IdentityProvider p = newProvider(key, e, required && provider == null);
        try {
          install(p);
          providerKey = key;
        } catch (IdentityException failure) {
          if (required) {
            throw new IdentityException("no workload identity for " + key.id() + " (mesh.identity.provider: "
                + key.config().provider() + "): " + failure.getMessage() + ". mTLS is configured (mesh.defaults"
                + ".mtlsMode: " + config.mesh().defaults().mtlsMode() + "); to run without it set "
                + "mesh.defaults.mtlsMode: DISABLE and enable it in no peerAuthentication.", failure);
          }
          log.info("mTLS is disabled in this mesh and no workload identity is available ({}); TLS handshakes "
              + "through the mesh will fail", failure.getMessage());
          if (provider == null) {
            identity.clear("mTLS is disabled in this mesh (mesh.defaults.mtlsMode: DISABLE) and "
                + failure.getMessage());
          }
          providerKey = key;
        }
      }
      snapshot = next;
    }
  }

  /** A provider for the config; {@code createDevCa}: create a missing dev CA (first identity, mTLS needed). */
  private static IdentityProvider newProvider(ProviderKey key, MeshEnvironment env, boolean createDevCa) {
    MeshConfig.IdentityConfig c = key.config();
    return switch (c.provider()) {
      case DEV_CA -> createDevCa
          ? IdentityProvider.devCaCreatingIfMissing(Path.of(c.devCa().directory()), key.id(),
              c.devCa().certificateTtl(), env.clock(), env.scheduler())
          : IdentityProvider.devCa(Path.of(c.devCa().directory()), key.id(), c.devCa().certificateTtl(),
              env.clock(), env.scheduler());
      case PEM_FILES -> {
        MeshConfig.PemFiles f = Objects.requireNonNull(c.pemFiles(), "mesh.identity.pemFiles");
        yield IdentityProvider.pemFiles(Path.of(f.certificateChain()), Path.of(f.privateKey()),
            Path.of(f.trustBundle()), env.clock());
      }
    };
  }

  /** Starts {@code p}, installs its identity and retires the previous provider; throws when p cannot start. */
  private void install(IdentityProvider p) {
    starting = p;
    WorkloadCertificate first;
    try {
      first = p.start(wc -> {
        // A retired provider may still deliver one late renewal: ignore it.
        if (provider == p || starting == p) {
          identity.set(wc);
        }
      });
    } catch (RuntimeException e) {
      starting = null;
      p.close();
      throw e instanceof IdentityException ie ? ie : new IdentityException(e.toString(), e);
    }
    IdentityProvider old = provider;
    identity.set(first);
    provider = p;
    starting = null;
    if (old != null) {
      old.close();
    }
  }

  /** Stops the provider's rotation or file watch; handshakes fail from then on. */
  @Override
  public void close() {
    IdentityProvider p;
    synchronized (lock) {
      p = provider;
      provider = null;
      identity.clear("the mesh is closed");
    }
    if (p != null) {
      p.close();
    }
  }

  // ---------------------------------------------------------------- identity

  /** The workload certificate in force, or null when there is none (mTLS disabled). */
  public @Nullable WorkloadCertificate certificate() {
    return identity.certificate();
  }

  /** The identity's status: provider, certificate in force, renewals, last error. */
  public IdentityStatus status() {
    IdentityProvider p = provider;
    return p != null ? p.status()
        : new IdentityStatus("none", null, null, null, null, 0, "no workload identity", null);
  }

  /**
   * The inbound mTLS mode of this workload on {@code port} under the current configuration (0: ignore
   * {@code portLevelMtls}).
   */
  public MtlsDecision inboundMode(int port) {
    MeshSnapshot s = snapshot;
    if (s == null || workload == null) {
      throw new IllegalStateException("a standalone MeshTls has no configuration: pass the mode explicitly");
    }
    return PeerAuthentications.resolve(s.config(), s.workload(), port);
  }

  // ---------------------------------------------------------------- TLS

  /**
   * The context for servers and for clients that verify the peer with {@link #hostnameVerifier} or
   * {@link #verifyPeer}: presents the current certificate, trusts chains to the current bundle carrying a SPIFFE ID,
   * never checks host names. One instance for the life of the mesh.
   */
  public SSLContext sslContext() {
    return sslContext;
  }

  /** The key manager of {@link #sslContext()} (for containers that take one, such as Tomcat). */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /**
   * The trust manager of {@link #sslContext()}: validates a peer's chain against the current trust bundle and
   * requires a SPIFFE ID, but does not check the host name or which identity it is.
   */
  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  /** TLS 1.3 preferred, 1.2 allowed; apply to clients and servers that take SSLParameters. */
  public SSLParameters sslParameters() {
    SSLParameters p = sslContext.getDefaultSSLParameters();
    p.setProtocols(PROTOCOLS.toArray(new String[0]));
    return p;
  }

  /**
   * A client context whose trust manager also checks, inside the handshake, that the server presents
   * {@code expectedByHost.apply(host)} for the host being dialled (refusing hosts it maps to null), plus the matching
   * hostname verifier. Each call makes a new context with its own session cache: call it once per client.
   */
  public MeshClientTls client(Function<String, @Nullable SpiffeId> expectedByHost) {
    SpiffeTrustManager tm = new SpiffeTrustManager(identity, clock, Objects.requireNonNull(expectedByHost));
    return new MeshClientTls(newContext(keyManager, tm), tm, hostnameVerifier(expectedByHost));
  }

  /**
   * Client TLS for adapters that dial endpoint addresses (java.net.http): {@code expectedByAddress} receives the
   * dialled {@code host:port} ({@code [v6]:port}) and gives the SPIFFE ID the server there must present. The check
   * runs in the handshake, before any request byte is sent.
   */
  public MeshClientTls clientByAddress(Function<String, @Nullable SpiffeId> expectedByAddress) {
    SpiffeTrustManager tm = new SpiffeTrustManager(identity, clock, Objects.requireNonNull(expectedByAddress), true);
    return new MeshClientTls(newContext(keyManager, tm), tm, (host, session) -> true);
  }

  /**
   * A verifier that accepts a session when the peer's SPIFFE ID is the one {@code expectedByHost} gives for the host
   * (adapters map their mesh-internal host names to the destination service's identity). DNS names and IP addresses
   * are never compared. A host mapped to null is refused.
   */
  public HostnameVerifier hostnameVerifier(Function<String, @Nullable SpiffeId> expectedByHost) {
    Objects.requireNonNull(expectedByHost);
    return (host, session) -> {
      SpiffeId expected = expectedByHost.apply(host);
      if (expected == null) {
        log.debug("no mesh identity known for host {}: connection refused", host);
        return false;
      }
      SpiffeId actual = peerIdentity(session);
      if (!expected.equals(actual)) {
        log.debug("{} (host {})", PeerIdentityException.message(expected, actual), host);
        return false;
      }
      return true;
    };
  }

  /** Throws when the peer of {@code session} does not present {@code expected}; names both identities. */
  public void verifyPeer(SSLSession session, SpiffeId expected) throws PeerIdentityException {
    SpiffeId actual = peerIdentity(session);
    if (!expected.equals(actual)) {
      throw new PeerIdentityException(expected, actual);
    }
  }

  /** The SPIFFE ID of the peer of {@code session}, or null when it presented no certificate or one without. */
  public static @Nullable SpiffeId peerIdentity(SSLSession session) {
    try {
      Certificate[] certs = session.getPeerCertificates();
      return certs.length > 0 && certs[0] instanceof X509Certificate x ? SpiffeId.fromCertificate(x) : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /**
   * The identity mismatch behind a failed call through a {@link #client} context (JSSE reports it as an
   * {@code SSLHandshakeException}), or null when {@code failure} has another cause. Adapters rethrow it.
   */
  public static @Nullable PeerIdentityException peerIdentityFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PeerIdentityException p) {
        return p;
      }
      if (t instanceof SpiffeIdMismatchException m) {
        return m.toPeerIdentityException(failure);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static SSLContext newContext(KeyManager km, TrustManager tm) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {km}, new TrustManager[] {tm}, null);
      // A resumed session skips certificate checks: bound how long a session outlives the handshake that made it
      // (the JDK's default is 24 h, the dev CA's default certificate lifetime).
      ctx.getClientSessionContext().setSessionTimeout(SESSION_TIMEOUT_SECONDS);
      ctx.getServerSessionContext().setSessionTimeout(SESSION_TIMEOUT_SECONDS);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS implementation", e);
    }
  }

  @Override
  public String toString() {
    WorkloadCertificate c = certificate();
    return "MeshTls[" + (c != null ? c.spiffeId() + ", serial " + c.serial() + ", notAfter " + c.notAfter()
        : "no identity") + "]";
  }
}
