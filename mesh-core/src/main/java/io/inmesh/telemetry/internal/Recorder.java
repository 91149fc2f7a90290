package io.inmesh.telemetry.internal;

import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.inbound.InboundAttributes;
import io.inmesh.internal.Completions;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import io.inmesh.telemetry.TcpConnection;
import io.inmesh.telemetry.TelemetryKeys;
import io.inmesh.tls.SpiffeId;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns a completed request into its telemetry: Istio metrics, InMesh counters, the stats window, the tap, the
 * access log and the span's final attributes. One per snapshot (it holds the snapshot's workload identity and
 * telemetry switches); the sinks it writes to live for the whole mesh.
 */
public final class Recorder {
  static final String PASSTHROUGH = "PassthroughCluster";
  private static final int MAX_PEERS = 1_000;
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("mesh.route");
  static final AttributeKey<String> SUBSET = AttributeKey.stringKey("mesh.subset");
  static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("mesh.endpoint");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("mesh.attempt");
  static final AttributeKey<String> DECISION = AttributeKey.stringKey("mesh.decision");
  static final AttributeKey<String> POLICY = AttributeKey.stringKey("mesh.policy");
  static final AttributeKey<String> FLAGS = AttributeKey.stringKey("mesh.response_flags");
  static final AttributeKey<String> PEER_PRINCIPAL = AttributeKey.stringKey("mesh.peer_principal");
  static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");

  private final Sinks sinks;
  private final boolean metricsOn;
  private final AccessLog accessLog;
  private final WorkloadIdentity self;
  private final String selfPrincipal;
  private final String selfService;
  private final Peer passthrough;
  private final Peer unknownCaller;
  private final ConcurrentHashMap<CompiledService, Peer> outboundPeers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Peer> inboundPeers = new ConcurrentHashMap<>();
  /** Stats windows by route (identity) and index of the destination; the one inbound window. */
  private final ConcurrentHashMap<CompiledRoute, StatsWindows.@Nullable Window[]> routeWindows =
      new ConcurrentHashMap<>();
  private volatile StatsWindows.@Nullable Window inboundWindow;

  /** What lives across snapshots. */
  public record Sinks(IstioMetrics metrics, StatsWindows stats, Tap tap, Clock clock) {}

  public Recorder(Sinks sinks, MeshSnapshot snapshot) {
    this.sinks = sinks;
    this.metricsOn = snapshot.config().telemetry().metrics().enabled();
    this.accessLog = new AccessLog(snapshot.config().telemetry().accessLog());
    this.self = snapshot.workload();
    String trustDomain = snapshot.config().mesh().trustDomain();
    this.selfPrincipal = self.spiffeId(trustDomain).toString();
    this.selfService = fqdn(self.name(), self.namespace());
    this.passthrough = new Peer("source", self.name(), self.namespace(), selfPrincipal, PASSTHROUGH, "unknown",
        PASSTHROUGH, "unknown", "unknown", "unknown", "http", "unknown");
    this.unknownCaller = inboundPeer(null, "http");
  }

  static String fqdn(String name, String namespace) {
    return name + "." + namespace + ".svc.cluster.local";
  }

  Peer outboundPeer(@Nullable CompiledService service) {
    if (service == null) {
      return passthrough;
    }
    Peer p = outboundPeers.get(service);
    if (p == null) {
      p = outboundPeers.computeIfAbsent(service, s -> new Peer("source", self.name(), self.namespace(),
          selfPrincipal, s.name(), s.namespace(), fqdn(s.name(), s.namespace()), s.name(), s.namespace(),
          s.identity().toString(), "http", "unknown"));
    }
    return p;
  }

  Peer inboundPeer(@Nullable String principal) {
    if (principal == null) {
      return unknownCaller;
    }
    Peer p = inboundPeers.get(principal);
    if (p == null) {
      if (inboundPeers.size() >= MAX_PEERS) {
        return unknownCaller;
      }
      p = inboundPeers.computeIfAbsent(principal, k -> inboundPeer(k, "http"));
    }
    return p;
  }

  private Peer inboundPeer(@Nullable String principal, String protocol) {
    String workload = "unknown";
    String namespace = "unknown";
    String sourcePrincipal = "unknown";
    if (principal != null) {
      try {
        SpiffeId id = SpiffeId.fromPrincipal(principal);
        sourcePrincipal = id.toString();
        String[] parts = id.path().split("/");
        // /ns/<namespace>/sa/<serviceAccount>: the service account names the workload in InMesh.
        if (parts.length == 5 && parts[1].equals("ns") && parts[3].equals("sa")) {
          namespace = parts[2];
          workload = parts[4];
        }
      } catch (RuntimeException e) {
        sourcePrincipal = "unknown";
      }
    }
    return new Peer("destination", workload, namespace, sourcePrincipal, self.name(), self.namespace(), selfService,
        self.name(), self.namespace(), selfPrincipal, protocol, principal != null ? "mutual_tls" : "none");
  }

  /** The series labels of a TCP connection. */
  public Peer connectionPeer(TcpConnection c, @Nullable CompiledService service) {
    if (c.direction() == Direction.INBOUND) {
      Peer p = inboundPeer(c.peerPrincipal(), "tcp");
      if (c.mutualTls() && c.peerPrincipal() == null) {
        // mTLS without a parseable identity still is mTLS.
        return new Peer("destination", "unknown", "unknown", "unknown", self.name(), self.namespace(), selfService,
            self.name(), self.namespace(), selfPrincipal, "tcp", "mutual_tls");
      }
      return p;
    }
    String name = service != null ? service.name() : c.service() != null ? c.service() : PASSTHROUGH;
    String ns = service != null ? service.namespace() : "unknown";
    String principal = c.peerPrincipal() != null ? SpiffeId.fromPrincipal(c.peerPrincipal()).toString()
        : service != null ? service.identity().toString() : "unknown";
    return new Peer("source", self.name(), self.namespace(), selfPrincipal, name, ns, fqdn(name, ns), name, ns,
        principal, "tcp", c.mutualTls() ? "mutual_tls" : "none");
  }

  /** Records a completed request (response or failure) and ends its span. */
  void complete(MeshContext ctx, MeshRequest request, @Nullable MeshResponse response, @Nullable Throwable error,
      @Nullable Span span) {
    long durationNanos = System.nanoTime() - ctx.startNanos();
    int status;
    if (error != null) {
      Failures.Outcome o = Failures.classify(error);
      status = o.status();
      if (!o.flag().equals("-")) {
        ctx.addResponseFlag(o.flag());
      }
    } else {
      status = response.status();
    }
    String flags = ctx.responseFlags() == null ? "-" : ctx.responseFlags();
    boolean outbound = ctx.direction() == Direction.OUTBOUND;
    CompiledService service = ctx.service();
    CompiledRoute route = ctx.route();
    String serviceName = outbound ? service != null ? service.name() : PASSTHROUGH : self.name();
    String routeName = route == null ? "-" : route.name() != null ? route.name() : route.id();
    String subset = ctx.destination() != null && ctx.destination().subset() != null ? ctx.destination().subset()
        : "-";
    int retries = Math.max(0, ctx.attempt() - 1);
    AuthorizationDecision decision = ctx.direction() == Direction.INBOUND
        ? ctx.attribute(InboundAttributes.AUTHORIZATION) : null;
    String policy = decision != null && decision.policy() != null ? decision.policy()
        : ctx.attribute(TelemetryKeys.DECIDING_POLICY);

    if (metricsOn) {
      Peer peer = outbound ? outboundPeer(service) : inboundPeer(ctx.peerPrincipal());
      sinks.metrics().recordRequest(peer, status, flags, durationNanos / 1_000_000.0,
          bytes(ctx.attribute(TelemetryKeys.REQUEST_BYTES), request.headers().get("content-length")),
          bytes(ctx.attribute(TelemetryKeys.RESPONSE_BYTES),
              response == null ? null : response.headers().get("content-length")));
      if (retries > 0) {
        sinks.metrics().retries(serviceName, routeName, retries);
      }
      if (Boolean.TRUE.equals(ctx.attribute(TelemetryKeys.RETRY_BUDGET_EXHAUSTED))) {
        sinks.metrics().retryBudgetExhausted(serviceName, routeName);
      }
      if (ctx.hasResponseFlag("RL")) {
        sinks.metrics().rateLimited(outbound ? "source" : "destination", serviceName);
      }
      if (ctx.hasResponseFlag("RBAC") || ctx.hasResponseFlag("UAEX")) {
        sinks.metrics().authzDenied(policy != null ? policy : "unknown");
      }
    }
    StatsWindows.Window window = statsWindow(outbound, ctx, serviceName, routeName, subset);
    if (window != null) {
      sinks.stats().record(window, status < 500, durationNanos, retries);
    }

    boolean log = accessLog.sample();
    if (log || sinks.tap().active()) {
      String line = line(ctx, request, status, flags, durationNanos, serviceName, routeName, subset, policy,
          decision, span);
      if (log) {
        accessLog.write(line);
      }
      sinks.tap().publish(serviceName, request.method(), request.path(), status, () -> line);
    }
    if (span != null) {
      endSpan(span, ctx, status, flags, error, routeName, subset, decision, policy);
    }
  }

  /**
   * The stats window of a request, found once per destination of a route (outbound: the route object and the index
   * of its weighted destination stand for service, route and subset within a snapshot) or once (inbound), rather
   * than through a key built and hashed per request.
   */
  private StatsWindows.@Nullable Window statsWindow(boolean outbound, MeshContext ctx, String service, String route,
      String subset) {
    if (!outbound) {
      StatsWindows.Window w = inboundWindow;
      if (w == null) {
        inboundWindow = w = sinks.stats().window(new StatsWindows.Key("inbound", service, route, subset));
      }
      return w;
    }
    CompiledRoute r = ctx.route();
    WeightedDestination d = ctx.destination();
    if (r != null && d != null) {
      List<WeightedDestination> all = r.destinations();
      StatsWindows.Window[] windows = routeWindows.get(r);
      if (windows == null) {
        windows = routeWindows.computeIfAbsent(r, x -> new StatsWindows.Window[all.size()]);
      }
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i) == d) {
          StatsWindows.Window w = windows[i];
          if (w == null) {
            windows[i] = w = sinks.stats().window(new StatsWindows.Key("outbound", service, route, subset));
          }
          return w;
        }
      }
    }
    return sinks.stats().window(new StatsWindows.Key("outbound", service, route, subset));
  }

  static long bytes(@Nullable Long attribute, @Nullable String contentLength) {
    if (attribute != null) {
      return attribute;
    }
    if (contentLength != null) {
      try {
        return Long.parseLong(contentLength.trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }

  private String line(MeshContext ctx, MeshRequest request, int status, String flags, long durationNanos,
      String service, String route, String subset, @Nullable String policy,
      @Nullable AuthorizationDecision decision, @Nullable Span span) {
    Instant start = sinks.clock().instant().minusNanos(durationNanos);
    Json j = new Json().beginObject()
        .field("start_time", start.toString())
        .field("direction", ctx.direction() == Direction.OUTBOUND ? "outbound" : "inbound")
        .field("method", request.method())
        .field("path", request.path())
        .field("authority", request.authority())
        .field("status", status)
        .field("response_flags", flags)
        .field("duration_ms", durationNanos / 1_000_000.0)
        .field("attempts", ctx.attempt())
        .field("service", service)
        .field("route", route)
        .field("subset", subset)
        .field("upstream_endpoint", ctx.endpoint() == null ? null : ctx.endpoint().address())
        .field("peer_principal", ctx.peerPrincipal())
        .field("decision", decision == null ? null : decision.verdict().name())
        .field("policy", policy)
        .field("trace_id", span != null && span.getSpanContext().isValid() ? span.getSpanContext().getTraceId()
            : null);
    return j.endObject().toString();
  }

  private static void endSpan(Span span, MeshContext ctx, int status, String flags, @Nullable Throwable error,
      String route, String subset, @Nullable AuthorizationDecision decision, @Nullable String policy) {
    if (span.isRecording()) {
      span.setAttribute(STATUS, (long) status);
      span.setAttribute(ROUTE, route);
      span.setAttribute(SUBSET, subset);
      span.setAttribute(ATTEMPT, (long) ctx.attempt());
      if (!flags.equals("-")) {
        span.setAttribute(FLAGS, flags);
      }
      if (ctx.endpoint() != null) {
        span.setAttribute(ENDPOINT, ctx.endpoint().address());
      }
      if (ctx.peerPrincipal() != null) {
        span.setAttribute(PEER_PRINCIPAL, ctx.peerPrincipal());
      }
      if (decision != null) {
        span.setAttribute(DECISION, decision.verdict().name());
      }
      if (policy != null) {
        span.setAttribute(POLICY, policy);
      }
      // OTel HTTP conventions: a client span errs on 4xx and 5xx, a server span only on 5xx.
      boolean failed = error != null || status >= 500 || (ctx.direction() == Direction.OUTBOUND && status >= 400);
      if (error != null) {
        span.setAttribute(ERROR_TYPE, Completions.unwrap(error).getClass().getName());
        span.recordException(Completions.unwrap(error));
      } else if (failed) {
        span.setAttribute(ERROR_TYPE, Integer.toString(status));
      }
      if (failed) {
        span.setStatus(StatusCode.ERROR);
      }
    }
    span.end();
  }

  /** Ends an attempt span with what the attempt saw. */
  static void endAttempt(Span span, MeshContext ctx, @Nullable MeshResponse response, @Nullable Throwable error) {
    if (span.isRecording()) {
      if (ctx.endpoint() != null) {
        span.setAttribute(ENDPOINT, ctx.endpoint().address());
        span.setAttribute(PEER_ADDRESS, ctx.endpoint().host());
        span.setAttribute(PEER_PORT, (long) ctx.endpoint().port());
      }
      if (response != null) {
        span.setAttribute(STATUS, (long) response.status());
        if (response.status() >= 400) {
          span.setAttribute(ERROR_TYPE, Integer.toString(response.status()));
          span.setStatus(StatusCode.ERROR);
        }
      } else if (error != null) {
        Throwable t = Completions.unwrap(error);
        span.setAttribute(ERROR_TYPE, t.getClass().getName());
        span.recordException(t);
        span.setStatus(StatusCode.ERROR);
      }
    }
    span.end();
  }
}
