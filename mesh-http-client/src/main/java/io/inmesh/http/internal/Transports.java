package io.inmesh.http.internal;

import io.inmesh.Mesh;
import io.inmesh.MeshException;
import io.inmesh.MeshSnapshot;
import io.inmesh.config.MeshConfig.OutboundTrafficPolicy;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.discovery.Endpoint;
import io.inmesh.internal.Completions;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/** What both adapters' transports share. */
final class Transports {
  private Transports() {}

  /**
   * Whether a request for {@code host} goes through the mesh: a mesh service, or any host under REGISTRY_ONLY (the
   * ROUTING stage then fails it). Any other request passes through untouched.
   */
  static boolean meshed(Mesh mesh, @Nullable String host) {
    MeshSnapshot snapshot = mesh.state().snapshot();
    return host != null && snapshot.services().resolve(host) != null
        || snapshot.config().mesh().outboundTrafficPolicy() == OutboundTrafficPolicy.REGISTRY_ONLY;
  }

  /**
   * The endpoint chosen for this attempt, or null for a request outside the mesh (no service: sent as written).
   *
   * @throws MeshException when the request has a service but no stage chose an endpoint
   */
  static @Nullable Endpoint endpoint(MeshContext ctx) throws MeshException {
    Endpoint endpoint = ctx.endpoint();
    CompiledService service = ctx.service();
    if (endpoint == null && service != null) {
      throw new MeshException("no endpoint chosen for " + service.key()
          + ": is the LOAD_BALANCER stage missing?");
    }
    return endpoint;
  }

  /**
   * The service this attempt really goes to: the route's destination (which may be another service than the one the
   * application addressed), else the addressed service.
   */
  static @Nullable CompiledService targetService(MeshContext ctx) {
    WeightedDestination d = ctx.destination();
    return d != null ? d.service() : ctx.service();
  }

  /** The client TLS mode toward this attempt's destination: its subset's, else its service's traffic policy. */
  static TrafficPolicy.ClientTlsMode tlsMode(MeshContext ctx) {
    WeightedDestination d = ctx.destination();
    CompiledService service = targetService(ctx);
    if (service == null) {
      return TrafficPolicy.ClientTlsMode.SIMPLE; // outside the mesh: the caller's own scheme and TLS
    }
    CompiledService.Subset subset = d != null && d.subset() != null ? service.subset(d.subset()) : null;
    return (subset != null ? subset.trafficPolicy() : service.trafficPolicy()).tls().mode();
  }

  /** {@code host} or {@code host:port} when the port is not the scheme's default. */
  static String authority(String scheme, String host, int port) {
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    int defaultPort = "https".equalsIgnoreCase(scheme) ? 443 : 80;
    return port < 0 || port == defaultPort ? h : h + ":" + port;
  }

  /** The IOException a failed pipeline or send ended with (what both client APIs let through). */
  static IOException ioException(Throwable error) {
    Throwable e = Completions.unwrap(error);
    if (e instanceof IOException io) {
      return io;
    }
    if (e instanceof CancellationException) {
      return new InterruptedIOException("canceled");
    }
    return new IOException(e.toString(), e);
  }

  /** Rethrows unchecked errors as they are; anything else as an IOException. */
  static IOException rethrow(Throwable error) {
    Throwable e = Completions.unwrap(error);
    if (e instanceof RuntimeException re && !(e instanceof CancellationException)) {
      throw re;
    }
    if (e instanceof Error err) {
      throw err;
    }
    return ioException(e);
  }
}
