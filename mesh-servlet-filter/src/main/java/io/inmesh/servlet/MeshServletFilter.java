package io.inmesh.servlet;

import io.inmesh.Mesh;
import io.inmesh.MeshState;
import io.inmesh.inbound.InboundAttributes;
import io.inmesh.inbound.PathNormalizer;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.telemetry.TelemetryKeys;
import io.inmesh.tls.SpiffeId;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the inbound pipeline around {@code chain.doFilter}.
 *
 * <p>Peer identity is taken here, on the servlet side, before the pipeline runs: the container has already verified
 * the client certificate during the handshake and exposes it as the standard
 * {@code jakarta.servlet.request.X509Certificate} attribute; its SPIFFE URI SAN becomes the context's peer principal
 * (Istio form), and {@code getRemoteAddr()} its remote address. A certificate without a (single, valid) SPIFFE ID
 * gives no principal: the caller is treated as unauthenticated.
 *
 * <p>The path the application will route on (context path + servlet path + path info, as the container decoded and
 * normalised it) goes into the context too: the normalisation stage refuses the request (400) when it differs from
 * the path authorization judges, so a container that resolves a path differently from the mesh can never be used to
 * reach a path a policy denies.
 *
 * <p>The application runs synchronously, on the container's thread, inside the pipeline's terminal; its exceptions
 * reach the container unchanged. An application that starts async processing returns from {@code doFilter} before
 * its response is complete: authorization and rate limiting are unaffected (they run before), but the status the
 * pipeline sees (telemetry) is the one at the time {@code doFilter} returned.
 */
final class MeshServletFilter implements Filter {
  private static final Logger log = LoggerFactory.getLogger(MeshServletFilter.class);
  private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";
  /** Marks a request already judged, so that a filter mapped for several dispatch types judges it once. */
  private static final String JUDGED = MeshServletFilter.class.getName() + ".judged";

  /** Above this many distinct client certificates, the peer cache starts over (it is only a shortcut). */
  private static final int MAX_CACHED_PEERS = 1_000;

  private final Mesh mesh;
  /**
   * The identity of each client certificate: decoding the SAN extension per request cost about 2 % of a server's CPU
   * under load, and a caller presents the same certificate on every request until it rotates. Keyed by the
   * certificate's content (its hash is cached by the JDK; equal certificates of different TLS sessions share an
   * entry); certificates without a SPIFFE ID map to {@link PeerRequest.Peer#NONE}.
   */
  private final ConcurrentHashMap<X509Certificate, PeerRequest.Peer> peers = new ConcurrentHashMap<>();


  MeshServletFilter(Mesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
      chain.doFilter(req, res);
      return;
    }
    if (request.getAttribute(JUDGED) instanceof PeerRequest.Judgement judged) {
      // A forward, include or error dispatch of a request already judged: the same view, not a second judgement.
      chain.doFilter(new PeerRequest(request, judged), res);
      return;
    }
    PeerRequest.Peer peer = peer(request);
    PeerRequest.Judgement judgement = new PeerRequest.Judgement(peer);
    request.setAttribute(JUDGED, judgement);
    Application application = new Application(chain, request, response, judgement);
    MeshState state = mesh.state();
    MeshContext ctx = state.newContext(Direction.INBOUND, application)
        .peerPrincipal(peer.principal())
        .remoteAddress(request.getRemoteAddr());
    // The container parsed Content-Length already; the telemetry would otherwise search the headers for it. Unknown
    // (chunked) or none counts as 0, as Envoy records it; 0 is a cached Long.
    long contentLength = request.getContentLengthLong();
    ctx.attribute(TelemetryKeys.REQUEST_BYTES, contentLength > 0 ? contentLength : 0L);
    ctx.attribute(InboundAttributes.LOCAL_PORT, request.getLocalPort());
    ctx.attribute(InboundAttributes.LOCAL_ADDRESS, request.getLocalAddr());
    String appPath = applicationPath(request);
    if (appPath == null) {
      reject(response, 400, null, "Bad Request: the server cannot resolve this path unambiguously");
      return;
    }
    ctx.attribute(InboundAttributes.APPLICATION_PATH, appPath);

    MeshResponse result;
    try {
      result = state.execute(ctx, new ServletMeshRequest(request)).join();
    } catch (CompletionException e) {
      application.rethrowFailure();
      // A stage failed rather than answering: deny, as authorization does on error.
      log.warn("inbound pipeline failed for {} {}", request.getMethod(), request.getRequestURI(), e.getCause());
      reject(response, 500, null, "mesh error");
      return;
    }
    application.rethrowFailure();
    if (!application.called) {
      reject(response, result.status(), result, ctx.attribute(InboundAttributes.REJECTION));
    }
  }

  /** The peer's identity from the client certificate the container verified, or {@link PeerRequest.Peer#NONE}. */
  private PeerRequest.Peer peer(HttpServletRequest request) {
    Object certs = request.getAttribute(CERTIFICATES);
    if (certs instanceof X509Certificate[] chain && chain.length > 0) {
      X509Certificate leaf = chain[0];
      PeerRequest.Peer cached = peers.get(leaf);
      if (cached == null) {
        SpiffeId id = SpiffeId.fromCertificate(leaf);
        if (peers.size() >= MAX_CACHED_PEERS) {
          peers.clear(); // rotated certificates of departed callers: start over rather than track ages
        }
        peers.put(leaf, cached = id != null ? new PeerRequest.Peer(id, id.principal()) : PeerRequest.Peer.NONE);
      }
      return cached;
    }
    return PeerRequest.Peer.NONE;
  }

  /**
   * The decoded path the application routes on, or null when the container itself refuses to say (Jetty throws for
   * ambiguous URIs it is told not to decode).
   */
  private static @Nullable String applicationPath(HttpServletRequest request) {
    try {
      String pathInfo = request.getPathInfo();
      return PathNormalizer.decode(request.getContextPath()) + request.getServletPath()
          + (pathInfo == null ? "" : pathInfo);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void reject(HttpServletResponse response, int status, @Nullable MeshResponse result,
      @Nullable String body) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.resetBuffer();
    response.setStatus(status);
    if (result != null) {
      for (String name : result.headers().names()) {
        for (String value : result.headers().getAll(name)) {
          response.addHeader(name, value);
        }
      }
    }
    byte[] bytes = ((body != null ? body : defaultBody(status)) + "\n").getBytes(StandardCharsets.UTF_8);
    response.setContentType("text/plain;charset=utf-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private static String defaultBody(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 429 -> "Too Many Requests";
      case 504 -> "Gateway Timeout";
      default -> "Error " + status;
    };
  }

  /** The pipeline's terminal: the rest of the filter chain and the servlet, called at most once. */
  private static final class Application implements MeshService {
    private final FilterChain chain;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final PeerRequest.Judgement judgement;
    boolean called;
    private @Nullable Throwable failure;

    Application(FilterChain chain, HttpServletRequest request, HttpServletResponse response,
        PeerRequest.Judgement judgement) {
      this.chain = chain;
      this.request = request;
      this.response = response;
      this.judgement = judgement;
    }

    @Override
    public CompletableFuture<MeshResponse> execute(MeshContext ctx, MeshRequest meshRequest) {
      if (called) {
        return CompletableFuture.failedFuture(new IOException("the application was already called"));
      }
      called = true;
      judgement.normalizedPath = ctx.attribute(InboundAttributes.NORMALIZED_PATH);
      judgement.decision = ctx.attribute(InboundAttributes.AUTHORIZATION);
      try {
        chain.doFilter(new PeerRequest(request, judgement), response);
      } catch (IOException | ServletException | RuntimeException | Error e) {
        failure = e;
        return CompletableFuture.failedFuture(e instanceof IOException io ? io : new IOException(e));
      }
      return CompletableFuture.completedFuture(
          new MeshResponse(response.getStatus(), ServletHeaders.of(response), response));
    }

    /** Rethrows what the application threw, as it would have reached the container without the mesh. */
    void rethrowFailure() throws IOException, ServletException {
      Throwable t = failure;
      if (t == null) {
        return;
      }
      if (t instanceof IOException io) {
        throw io;
      }
      if (t instanceof ServletException se) {
        throw se;
      }
      if (t instanceof RuntimeException re) {
        throw re;
      }
      throw (Error) t;
    }
  }
}
