package io.inmesh.telemetry;

import io.inmesh.ConfigListener;
import io.inmesh.ConfigStatus;
import io.inmesh.MeshEnvironment;
import io.inmesh.MeshFeature;
import io.inmesh.MeshSnapshot;
import io.inmesh.admin.AdminServer;
import io.inmesh.admin.AdminSource;
import io.inmesh.config.AdminConfig;
import io.inmesh.config.ConfigProblem;
import io.inmesh.config.TelemetryConfig;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.InboundRole;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import io.inmesh.routing.CompiledService;
import io.inmesh.telemetry.internal.ConfigJson;
import io.inmesh.telemetry.internal.Edges;
import io.inmesh.telemetry.internal.IstioMetrics;
import io.inmesh.telemetry.internal.Json;
import io.inmesh.telemetry.internal.Recorder;
import io.inmesh.telemetry.internal.StatsWindows;
import io.inmesh.telemetry.internal.Tap;
import io.inmesh.telemetry.internal.TelemetryFilters;
import io.inmesh.telemetry.internal.Tracing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in telemetry feature: traces, Istio-compatible metrics, the access log, stats, edges, the tap, and the
 * admin server that shows them. Its state (metric series, stats windows, tap readers, the tracer provider it may
 * own, the admin server) lives as long as the mesh; its stages are rebuilt per snapshot.
 *
 * <p>Other parts of the mesh report what telemetry cannot see on a request: transports call
 * {@link #connectionOpened}/{@link #connectionClosed} (reach it with {@code mesh.feature(MeshTelemetry.class)}),
 * features call {@link #outlierEjection} and {@link #circuitBreakerStateChanged} (reach it from a feature's factory
 * with {@link #of(MeshEnvironment)}: the telemetry feature is created first). Per-request facts travel in the
 * context: see {@link TelemetryKeys}.
 */
public final class MeshTelemetry implements MeshFeature, ConfigListener {
  private static final Logger log = LoggerFactory.getLogger(MeshTelemetry.class);
  private static final Map<MeshEnvironment, MeshTelemetry> BY_ENVIRONMENT =
      Collections.synchronizedMap(new IdentityHashMap<>());

  private final MeshEnvironment env;
  private final IstioMetrics metrics = new IstioMetrics();
  private final StatsWindows stats;
  private final Tap tap = new Tap();
  private final Recorder.Sinks sinks;
  private final Map<String, LongAdder> ejections = new ConcurrentHashMap<>();
  private final Map<String, Boolean> outboundMutualTls = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile Tracing tracing;
  private volatile @Nullable AdminServer admin;
  private volatile MeshSnapshot current;
  private final AtomicLong applied = new AtomicLong(1);
  private final AtomicLong rejected = new AtomicLong();
  private volatile ConfigStatus.@Nullable ConfigRejection lastRejection;

  private MeshTelemetry(MeshEnvironment env) {
    this.env = env;
    this.current = env.initialSnapshot();
    this.stats = new StatsWindows(env.nanoTime());
    this.sinks = new Recorder.Sinks(metrics, stats, tap, env.clock());
    this.tracing = Tracing.create(current.config().telemetry().tracing(), env.workload(), env.openTelemetry());
    metrics.configApplied(current.version());
    metrics.gauge("inmesh_tap_dropped_total", "Tap events dropped because a reader was slow", tap::dropped);
    startAdmin(current.config().admin());
    BY_ENVIRONMENT.put(env, this);
  }

  /** Creates the feature for one mesh (listed in {@code BuiltInFeatures}). */
  public static MeshTelemetry create(MeshEnvironment env) {
    return new MeshTelemetry(env);
  }

  /** The telemetry of the mesh {@code env} belongs to, for other features; null when it has none (yet). */
  public static @Nullable MeshTelemetry of(MeshEnvironment env) {
    return BY_ENVIRONMENT.get(env);
  }

  @Override
  public List<MeshStage> stages() {
    return List.of(
        new MeshStage("telemetry", StagePosition.at(OutboundRole.TELEMETRY),
            s -> off(s) ? null : TelemetryFilters.outbound(new Recorder(sinks, s), tracing)),
        // Just inside RETRY: every attempt gets its own child span and trace headers; retries show as siblings.
        new MeshStage("telemetry-attempt", StagePosition.after(OutboundRole.RETRY),
            s -> tracing.enabled() ? TelemetryFilters.attempt(tracing) : null),
        new MeshStage("telemetry", StagePosition.at(InboundRole.TELEMETRY),
            s -> off(s) ? null : TelemetryFilters.inbound(new Recorder(sinks, s), tracing)));
  }

  /** Nothing to record for: no metrics, traces, access log, nor an admin server to show stats or the tap. */
  private static boolean off(MeshSnapshot s) {
    TelemetryConfig t = s.config().telemetry();
    return !t.metrics().enabled() && !t.tracing().enabled() && t.accessLog().mode() == TelemetryConfig.AccessLogMode.OFF
        && !s.config().admin().enabled();
  }

  @Override
  public void onSnapshot(MeshSnapshot snapshot) {
    synchronized (lifecycle) {
      TelemetryConfig.Tracing t = snapshot.config().telemetry().tracing();
      if (!t.equals(tracing.config())) {
        Tracing old = tracing;
        tracing = Tracing.create(t, env.workload(), env.openTelemetry());
        // Requests in flight on the old pipeline may still end spans: give them time before shutting down.
        env.scheduler().schedule(old::close, 30, TimeUnit.SECONDS);
      }
      AdminConfig a = snapshot.config().admin();
      if (!a.equals(current.config().admin())) {
        AdminServer old = admin;
        if (old != null) {
          old.close();
          admin = null;
        }
        startAdmin(a);
      }
    }
  }

  private void startAdmin(AdminConfig config) {
    if (!config.enabled()) {
      return;
    }
    try {
      admin = AdminServer.start(config, new Source());
    } catch (IOException | UncheckedIOException e) {
      // A second mesh in the same process (tests, two apps in one JVM) finds the port taken: the mesh still works.
      log.warn("mesh admin server not started on {}:{}: {}", config.bindAddress(), config.port(), e.toString());
    }
  }

  @Override
  public void onApplied(MeshSnapshot previous, MeshSnapshot snapshot) {
    current = snapshot;
    applied.incrementAndGet();
    metrics.configApplied(snapshot.version());
  }

  @Override
  public void onRejected(ConfigStatus.ConfigRejection rejection, MeshSnapshot snapshot) {
    rejected.incrementAndGet();
    lastRejection = rejection;
    metrics.configRejected();
  }

  /** The admin server's address, or null when it is disabled or could not bind. */
  public @Nullable InetSocketAddress adminAddress() {
    AdminServer a = admin;
    return a == null ? null : a.address();
  }

  /** The Prometheus text exposition of the mesh's metrics (what {@code /metrics} serves). */
  public String scrape() {
    return metrics.scrape();
  }

  /** A transport opened (outbound) or accepted (inbound) a connection. */
  public void connectionOpened(TcpConnection connection) {
    metrics.connectionOpened(connectionPeer(connection));
    if (connection.direction() == Direction.OUTBOUND && connection.service() != null) {
      outboundMutualTls.put(connection.service(), connection.mutualTls());
    }
  }

  /** A connection reported with {@link #connectionOpened} closed. */
  public void connectionClosed(TcpConnection connection) {
    metrics.connectionClosed(connectionPeer(connection));
  }

  private io.inmesh.telemetry.internal.Peer connectionPeer(TcpConnection c) {
    CompiledService service = c.service() == null ? null : current.services().resolve(c.service());
    return new Recorder(sinks, current).connectionPeer(c, service);
  }

  /** What the admin pages say of the workload identity (from the mTLS feature, when the mesh has one). */
  private record IdentityView(boolean healthy, boolean required, String detail) {}

  private @Nullable IdentityView identity() {
    io.inmesh.tls.MeshTls tls = env.feature(io.inmesh.tls.MeshTls.class);
    if (tls == null) {
      return null;
    }
    io.inmesh.tls.IdentityStatus st = tls.status();
    boolean required = io.inmesh.tls.PeerAuthentications.mtlsConfigured(current.config());
    java.time.Instant notAfter = st.notAfter();
    // "Near expiry": less than a tenth of a day left means rotation has been failing for most of the lifetime.
    boolean nearExpiry = notAfter != null && notAfter.isBefore(env.clock().instant().plusSeconds(8640));
    String detail = st.identity() == null ? "no identity (" + st.lastError() + ")"
        : st.identity() + " valid until " + notAfter + (nearExpiry ? " (NEAR EXPIRY)" : "")
            + (st.lastError() == null ? "" : "; last error: " + st.lastError());
    return new IdentityView(st.healthy() && !nearExpiry, required, detail);
  }

  /** Outlier detection ejected an endpoint of {@code service}. */
  public void outlierEjection(String service) {
    metrics.ejection(service);
    ejections.computeIfAbsent(service, k -> new LongAdder()).increment();
  }

  /**
   * A circuit breaker of {@code service} changed state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}); keeps the
   * gauge of open breakers.
   */
  public void circuitBreakerStateChanged(String service, String from, String to) {
    int delta = ("OPEN".equals(to) ? 1 : 0) - ("OPEN".equals(from) ? 1 : 0);
    metrics.breakerTransition(service, to, delta);
  }

  @Override
  public void close() {
    BY_ENVIRONMENT.remove(env);
    synchronized (lifecycle) {
      AdminServer a = admin;
      if (a != null) {
        a.close();
        admin = null;
      }
      tracing.close();
    }
  }

  /** The admin pages. */
  private final class Source implements AdminSource {
    @Override
    public String metrics() {
      return metrics.scrape();
    }

    @Override
    public Health readiness() {
      MeshSnapshot s = current;
      StringBuilder detail = new StringBuilder("config: v" + s.version() + " " + s.shortHash() + " applied");
      boolean ok = true;
      ConfigStatus status = env.configStatus().get();
      if (status != null && status.usingLastGoodCopy()) {
        // Serving, but on the persisted copy: the config source has not answered since start-up.
        ok = false;
        detail.append(" from the last good copy; config source ").append(status.source()).append(" not reachable");
      }
      IdentityView id = identity();
      if (id != null) {
        detail.append("\nidentity: ").append(id.detail());
        ok &= id.healthy() || !id.required();
      }
      return new Health(ok, detail.toString());
    }

    @Override
    public String stats() {
      Json j = new Json().beginObject().field("windowSeconds", StatsWindows.WINDOW_SECONDS).name("rows").beginArray();
      for (StatsWindows.Row r : stats.rows()) {
        j.beginObject()
            .field("direction", r.key().direction())
            .field("service", r.key().service())
            .field("route", r.key().route())
            .field("subset", r.key().subset())
            .field("requests", r.requests())
            .field("rps", r.rps())
            .field("successRate", r.successRate())
            .field("p50Ms", r.p50Ms())
            .field("p95Ms", r.p95Ms())
            .field("p99Ms", r.p99Ms())
            .field("retries", r.retries())
            .field("ejections", ejectionCount(r.key().service()))
            .endObject();
      }
      j.endArray().name("ejections").beginObject();
      for (var e : new TreeMap<>(ejections).entrySet()) {
        j.field(e.getKey(), e.getValue().sum());
      }
      return j.endObject().endObject().toString();
    }

    private long ejectionCount(String service) {
      LongAdder a = ejections.get(service);
      return a == null ? 0 : a.sum();
    }

    @Override
    public String edges() {
      Json j = new Json().beginObject().name("edges").beginArray();
      for (Edges.Edge e : Edges.of(metrics.requestSeries(), outboundMutualTls)) {
        j.beginObject()
            .field("direction", e.direction())
            .field("source", e.source())
            .field("sourcePrincipal", e.sourcePrincipal())
            .field("destination", e.destination())
            .field("destinationPrincipal", e.destinationPrincipal())
            .name("mtls");
        if (e.mtls() == null) {
          j.value((String) null);
        } else {
          j.value(e.mtls());
        }
        j.field("requests", e.requests()).endObject();
      }
      return j.endArray().endObject().toString();
    }

    @Override
    public String config() {
      MeshSnapshot s = current;
      Json j = new Json().beginObject()
          .field("workload", s.workload().name())
          .field("namespace", s.workload().namespace())
          .field("version", s.version())
          .field("hash", s.contentHash())
          .field("source", s.source())
          .field("loadedAt", s.loadedAt().toString())
          .field("appliedCount", applied.get())
          .field("rejectedCount", rejected.get())
          .field("tracing", tracing.source());
      ConfigStatus status = env.configStatus().get();
      j.field("usingLastGoodCopy", status != null && status.usingLastGoodCopy());
      j.name("origins").beginArray();
      for (String origin : s.origins()) {
        j.value(origin); // file paths, or etcd keys with the revision applied (key@revision)
      }
      j.endArray();
      IdentityView id = identity();
      j.name("identity");
      if (id == null) {
        j.value((String) null);
      } else {
        j.beginObject().field("healthy", id.healthy()).field("required", id.required())
            .field("detail", id.detail()).endObject();
      }
      j.name("lastRejection");
      ConfigStatus.ConfigRejection r = lastRejection;
      if (r == null) {
        j.value((String) null);
      } else {
        j.beginObject().field("at", r.at().toString()).field("hash", r.contentHash()).name("errors").beginArray();
        for (ConfigProblem p : r.problems()) {
          j.value(p.toString());
        }
        j.endArray().endObject();
      }
      j.name("config");
      ConfigJson.write(j, s.config());
      return j.endObject().toString();
    }

    @Override
    public @Nullable TapStream tap(Map<String, String> query) {
      Tap.Subscription sub = MeshTelemetry.this.tap.subscribe(new Tap.Filter(blank(query.get("service")),
          blank(query.get("path")), blank(query.get("method")), blank(query.get("status"))));
      if (sub == null) {
        return null;
      }
      return new TapStream() {
        @Override
        public @Nullable String next(long timeoutMillis) {
          return sub.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public long dropped() {
          return sub.dropped();
        }

        @Override
        public void close() {
          sub.close();
        }
      };
    }
  }

  private static @Nullable String blank(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }

}
