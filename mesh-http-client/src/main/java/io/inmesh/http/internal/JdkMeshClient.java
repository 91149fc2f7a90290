package io.inmesh.http.internal;

import io.inmesh.Mesh;
import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.traffic.TrafficFeature;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.resilience.Retries;
import io.inmesh.routing.CompiledService;
import io.inmesh.tls.MeshClientTls;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.SpiffeId;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code java.net.http} client of {@code MeshHttpClient.wrap}: a delegating {@link HttpClient} (as
 * OpenTelemetry's instrumentation is). A request for a mesh service runs through the outbound pipeline and each
 * attempt is sent with the delegate's {@code sendAsync} to the chosen endpoint's address; {@code send} waits for the
 * pipeline on the caller's thread, {@code sendAsync} holds no thread at all.
 *
 * <p>The JDK forbids setting {@code Host} unless the system property {@code jdk.httpclient.allowRestrictedHeaders}
 * names it (read once, when the JDK's HTTP client classes load), and it has no pluggable DNS. So the URL carries the
 * endpoint's address, and the logical authority travels in {@code Host} when the property allows it, otherwise in
 * {@code x-forwarded-host} (the server then sees the endpoint's address as {@code Host}).
 */
public final class JdkMeshClient extends HttpClient {
  /** Whether this JVM lets a request set {@code Host} (see the class comment). */
  public static final boolean HOST_HEADER_ALLOWED = hostHeaderAllowed();
  /** The header that carries the logical authority: {@code Host}, or {@code x-forwarded-host} as a fallback. */
  public static final String AUTHORITY_HEADER = HOST_HEADER_ALLOWED ? "Host" : "x-forwarded-host";
  /** Headers the JDK refuses in a request (they are its own to write). */
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final Mesh mesh;
  private final HttpClient delegate;
  /** Attempts over mTLS: the delegate's settings with the mesh's TLS; null when the mesh has no TLS feature. */
  private final @Nullable HttpClient mtls;
  /** The identity each endpoint address dialled over mTLS must present (java.net.http has no pluggable DNS). */
  private final Map<String, SpiffeId> identityByAddress = new ConcurrentHashMap<>();

  public JdkMeshClient(Mesh mesh, HttpClient delegate) {
    this.mesh = mesh;
    this.delegate = delegate;
    MeshTls tls = mesh.feature(MeshTls.class);
    this.mtls = tls == null ? null : mtlsClient(delegate, tls.clientByAddress(identityByAddress::get));
  }

  private static HttpClient mtlsClient(HttpClient delegate, MeshClientTls tls) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .sslContext(tls.sslContext())
        .version(delegate.version())
        .followRedirects(HttpClient.Redirect.NEVER); // as for plaintext attempts: redirects go back to the caller
    delegate.connectTimeout().ifPresent(b::connectTimeout);
    delegate.executor().ifPresent(b::executor);
    SSLParameters params = new SSLParameters();
    params.setEndpointIdentificationAlgorithm(null); // identity is the SPIFFE ID, checked by the trust manager
    params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    return b.sslParameters(params).build();
  }

  private static boolean hostHeaderAllowed() {
    try {
      HttpRequest.newBuilder(URI.create("http://localhost/")).header("Host", "localhost");
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private boolean meshed(HttpRequest request) {
    return Transports.meshed(mesh, request.uri().getHost());
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    if (!meshed(request)) {
      return delegate.send(request, handler);
    }
    CompletableFuture<HttpResponse<T>> result = sendMeshed(request, handler);
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw Transports.rethrow(e);
    } catch (InterruptedException e) {
      result.cancel(true);
      throw e;
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return meshed(request) ? sendMeshed(request, handler) : delegate.sendAsync(request, handler);
  }

  /** Push promises are not meshed: a meshed request is sent without the push-promise handler. */
  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return meshed(request) ? sendMeshed(request, handler) : delegate.sendAsync(request, handler, pushPromiseHandler);
  }

  private <T> CompletableFuture<HttpResponse<T>> sendMeshed(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    ClientRequest view = ClientRequest.of(request);
    Set<CompletableFuture<?>> sending = ConcurrentHashMap.newKeySet();
    CompletableFuture<MeshResponse> pipeline;
    try {
      pipeline = mesh.outbound(view, (ctx, r) -> attempt(ctx, r, request, view, handler, sending));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    pipeline.whenComplete((response, error) -> {
      if (error != null) {
        result.completeExceptionally(Transports.ioException(error));
        return;
      }
      JdkResponses.toJdk(response, request, handler).whenComplete((r, e) -> {
        if (e != null) {
          result.completeExceptionally(Transports.ioException(e));
        } else {
          result.complete(r);
        }
      });
    });
    // The application gave up (send interrupted, future canceled): stop the pipeline's work in flight.
    result.whenComplete((r, e) -> {
      if (e != null) {
        pipeline.cancel(true);
        sending.forEach(f -> f.cancel(true));
      }
    });
    return result;
  }

  /** Sends one attempt (or a mirror copy, whose body is discarded) to the endpoint the pipeline chose. */
  private <T> CompletableFuture<MeshResponse> attempt(MeshContext ctx, MeshRequest request, HttpRequest user,
      ClientRequest original, HttpResponse.BodyHandler<T> handler, Set<CompletableFuture<?>> sending) {
    if (!TrafficFeature.isMirrorCopy(ctx) && ctx.attribute(Retries.BODY_REPLAYABLE) == null) {
      // A publisher of known length up to 64 KiB (ofString, ofByteArray...) can be subscribed again on a retry; one
      // of unknown length (ofInputStream, a stream) cannot be relied on to: never retried.
      long length = user.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength).orElse(0L);
      ctx.attribute(Retries.BODY_REPLAYABLE, length >= 0 && length <= Retries.MAX_REPLAYABLE_BODY_BYTES);
    }
    HttpRequest wire;
    try {
      wire = wireRequest(ctx, request, user, original);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e instanceof IOException ? e : new IOException(e.toString(), e));
    }
    boolean mirror = TrafficFeature.isMirrorCopy(ctx);
    HttpClient client = wire.uri().getScheme().equals("https") && Transports.tlsMode(ctx)
        == TrafficPolicy.ClientTlsMode.ISTIO_MUTUAL && mtls != null ? mtls : delegate;
    CompletableFuture<? extends HttpResponse<?>> sent = mirror
        ? client.sendAsync(wire, HttpResponse.BodyHandlers.discarding())
        : client.sendAsync(wire, handler);
    if (!mirror) { // the application may give up on its request: its attempts in flight then stop
      sending.add(sent);
      sent.whenComplete((r, e) -> sending.remove(sent));
    }
    CompletableFuture<MeshResponse> result = new CompletableFuture<>();
    sent.whenComplete((r, e) -> {
      if (e != null) {
        result.completeExceptionally(Transports.ioException(e));
      } else {
        result.complete(new MeshResponse(r.statusCode(), new JdkMeshHeaders(r.headers()), r));
      }
    });
    // A per-try timeout or a canceled request ends the attempt: abort the exchange (JDK 16+ honours cancel(true)).
    result.whenComplete((r, e) -> {
      if (e != null) {
        sent.cancel(true);
      }
    });
    return result;
  }

  /**
   * The wire request of one attempt: the endpoint's address in the URI, the pipeline's path, query and headers, the
   * logical authority in {@link #AUTHORITY_HEADER}; body, timeout, version and expect-continue are the caller's.
   */
  private HttpRequest wireRequest(MeshContext ctx, MeshRequest request, HttpRequest user,
      ClientRequest original) throws IOException {
    Endpoint endpoint = Transports.endpoint(ctx);
    CompiledService service = Transports.targetService(ctx);
    if (endpoint == null || service == null) {
      return user; // outside the mesh (ALLOW_ANY): as the caller wrote it
    }
    TrafficPolicy.ClientTlsMode mode = Transports.tlsMode(ctx);
    if (mode == TrafficPolicy.ClientTlsMode.ISTIO_MUTUAL) {
      if (mtls == null) {
        throw new IOException("service " + service.key() + " needs mTLS but the mesh has no TLS feature");
      }
      String address = endpoint.address();
      if (!service.identity().equals(identityByAddress.get(address))) {
        identityByAddress.put(address, service.identity()); // written once per endpoint, read on every handshake
      }
    }
    String query = request.query();
    URI uri = URI.create((mode == TrafficPolicy.ClientTlsMode.DISABLE ? "http" : "https") + "://"
        + endpoint.address() + request.path() + (query == null ? "" : "?" + query));
    boolean headersKept = request.headers() == original.headers();
    HttpRequest.Builder b = HttpRequest.newBuilder(user, (name, value) -> headersKept).uri(uri);
    if (!headersKept) {
      for (String name : request.headers().names()) {
        if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
          for (String value : request.headers().getAll(name)) {
            b.header(name, value);
          }
        }
      }
    }
    return b.setHeader(AUTHORITY_HEADER, request.authority()).build();
  }

  // Everything else is the delegate's.

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  /** WebSockets are not meshed: the delegate's builder. */
  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  // JDK 21 made HttpClient closeable. Built for Java 17, these override the JDK 21+ methods at run time (same
  // signatures) and reach the delegate's by reflection, so that closing the wrapper closes the user's client.

  /** Closes the delegate (JDK 21+). */
  public void close() {
    invoke("close");
  }

  /** Shuts the delegate down (JDK 21+). */
  public void shutdown() {
    invoke("shutdown");
  }

  /** Shuts the delegate down now (JDK 21+). */
  public void shutdownNow() {
    invoke("shutdownNow");
  }

  /** Whether the delegate is terminated (JDK 21+; false before). */
  public boolean isTerminated() {
    return Boolean.TRUE.equals(invoke("isTerminated"));
  }

  /** Waits for the delegate to terminate (JDK 21+; false before). */
  public boolean awaitTermination(Duration duration) throws InterruptedException {
    try {
      return Boolean.TRUE.equals(HttpClient.class.getMethod("awaitTermination", Duration.class)
          .invoke(delegate, duration));
    } catch (NoSuchMethodException e) {
      return false;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof InterruptedException ie) {
        throw ie;
      }
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private Object invoke(String method) {
    try {
      return HttpClient.class.getMethod(method).invoke(delegate);
    } catch (NoSuchMethodException e) {
      return null; // JDK 17-20: nothing to close
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "MeshHttpClient(" + delegate + ")";
  }
}
