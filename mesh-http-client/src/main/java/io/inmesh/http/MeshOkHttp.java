package io.inmesh.http;

import io.inmesh.Mesh;
import io.inmesh.http.internal.EndpointNames;
import io.inmesh.http.internal.MeshDns;
import io.inmesh.http.internal.MeshInterceptor;
import io.inmesh.routing.CompiledService;
import io.inmesh.tls.MeshClientTls;
import io.inmesh.tls.MeshTls;
import okhttp3.Dispatcher;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * Meshes an {@link OkHttpClient}.
 *
 * <pre>{@code
 * OkHttpClient client = MeshOkHttp.wrap(mesh, existingClient);
 * client.newCall(new Request.Builder().url("http://api-service/api/users/42").build()).execute();
 * }</pre>
 *
 * <p>The returned client is {@code existing.newBuilder()} plus one application interceptor (added last), so it
 * shares the user's connection pool, dispatcher, timeouts, interceptors, event listener and proxy settings. A
 * request whose host is a mesh service is routed by the mesh: every attempt goes to the endpoint the mesh chose, under
 * a mesh-internal host name that resolves to that endpoint, with the logical authority ({@code api-service}) in the
 * {@code Host} header. Any other host passes through untouched, unless {@code outboundTrafficPolicy} is
 * {@code REGISTRY_ONLY}, which fails it with {@link io.inmesh.UnknownServiceException}.
 *
 * <p>Both {@code execute()} and {@code enqueue()} work. OkHttp runs an application interceptor on the caller's thread
 * ({@code execute}) or on a dispatcher thread ({@code enqueue}); the mesh lends that one thread each attempt's I/O, as
 * OkHttp itself would. A fault delay or a retry backoff is a timer on the mesh scheduler: the call's thread waits
 * through it (it would be waiting for the response anyway) and no other thread is held. Mirror copies use a
 * dispatcher of their own, never the caller's thread nor the user's dispatcher. Redirects of meshed requests are
 * returned to the application rather than followed: OkHttp follows them inside the interceptor chain, below the mesh.
 *
 * <p>Attempts to a service whose client TLS mode is {@code ISTIO_MUTUAL} (the default unless the mesh disables mTLS)
 * are sent over mTLS with the mesh's identity, whatever scheme the application wrote, and the server must present
 * the service's SPIFFE identity; {@code SIMPLE} uses the client's own TLS trust, checking the certificate against the
 * service's {@code tls.sni} or first host name; {@code DISABLE} is plaintext.
 * OkHttp's {@code retryOnConnectionFailure} is kept as the client has it: OkHttp then reconnects to the same endpoint
 * when a pooled connection proves dead before any response (a stale keep-alive connection), while the mesh's retries
 * go to other endpoints under the retry budget and the idempotency guard.
 */
public final class MeshOkHttp {
  private MeshOkHttp() {}

  /** A client that sends requests for mesh services through {@code mesh}; {@code client} itself is not changed. */
  public static OkHttpClient wrap(Mesh mesh, OkHttpClient client) {
    for (Interceptor i : client.interceptors()) {
      if (i instanceof MeshInterceptor) {
        return client; // already meshed
      }
    }
    EndpointNames names = new EndpointNames();
    OkHttpClient.Builder attemptsBuilder = client.newBuilder()
        .dns(new MeshDns(names, client.dns()))
        .followRedirects(false)
        .cache(null); // a response belongs to the logical URL, not to one endpoint's
    // The user's application interceptors run once, on the logical call, around the mesh; each attempt carries the
    // network interceptors only.
    attemptsBuilder.interceptors().clear();
    // OkHttp's retryOnConnectionFailure stays as the user set it (default on): it re-sends on a fresh connection to
    // the SAME endpoint only when a pooled connection turns out to be dead before a response, which the mesh cannot
    // tell apart from a real failure (and so could not retry for a POST). The mesh's own retries go to other
    // endpoints, under the budget and the idempotency guard; the two do not compound beyond one reconnect per try.
    // SIMPLE (plain TLS to a service outside the mesh): the user's trust, with the certificate checked against the
    // service's host name (or its tls.sni), not against the internal name in the URL.
    javax.net.ssl.HostnameVerifier userVerifier = client.hostnameVerifier();
    attemptsBuilder.hostnameVerifier((host, session) -> {
      EndpointNames.Target target = names.target(host);
      if (target == null) {
        return userVerifier.verify(host, session);
      }
      CompiledService service = mesh.snapshot().services().resolve(target.serviceHost());
      String sni = service == null ? null : service.trafficPolicy().tls().sni();
      return userVerifier.verify(sni != null ? sni : service != null && !service.config().hosts().isEmpty()
          ? service.config().hosts().get(0) : target.serviceName(), session);
    });
    OkHttpClient plain = attemptsBuilder.build();
    OkHttpClient mtls = plain;
    MeshTls tls = mesh.feature(MeshTls.class);
    if (tls != null) {
      // Servers are verified by the SPIFFE identity of the service an internal name stands for, never by name/IP.
      MeshClientTls clientTls = tls.client(host -> {
        EndpointNames.Target target = names.target(host);
        CompiledService service = target == null ? null : mesh.snapshot().services().resolve(target.serviceHost());
        return service == null ? null : service.identity();
      });
      mtls = plain.newBuilder()
          .sslSocketFactory(clientTls.sslContext().getSocketFactory(), clientTls.trustManager())
          .hostnameVerifier(clientTls.hostnameVerifier())
          .build();
    }
    Dispatcher mirrorDispatcher = new Dispatcher();
    mirrorDispatcher.setMaxRequestsPerHost(mirrorDispatcher.getMaxRequests());
    MeshInterceptor.Clients attempts = new MeshInterceptor.Clients(plain, mtls);
    MeshInterceptor.Clients detached = new MeshInterceptor.Clients(
        plain.newBuilder().dispatcher(mirrorDispatcher).build(), mtls.newBuilder().dispatcher(mirrorDispatcher).build());
    return client.newBuilder().addInterceptor(new MeshInterceptor(mesh, attempts, detached, names)).build();
  }
}
