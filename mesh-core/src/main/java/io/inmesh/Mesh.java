package io.inmesh;

import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.ConfigProblem;
import io.inmesh.config.ConfigSource;
import io.inmesh.config.FileConfigSource;
import io.inmesh.config.LastGoodConfigStore;
import io.inmesh.config.LoadedConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.ServiceConfig;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.MeshStageProvider;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.Pipeline;
import io.inmesh.pipeline.StagePosition;
import io.opentelemetry.api.OpenTelemetry;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh inside one application: its workload identity, the configuration snapshot in force, and the outbound and
 * inbound pipelines composed for it. One per application; every adapter (OkHttp, java.net.http, servlet, Spring)
 * calls into the same instance.
 *
 * <pre>{@code
 * try (Mesh mesh = Mesh.builder().workload("checkout").config(Path.of("mesh.yaml")).build()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Configuration changes are read, validated and compiled on the config source's thread; a valid change replaces
 * the state with one atomic write, an invalid one is logged once at WARN, counted, reported to listeners and otherwise
 * ignored. Requests read the state once, when they start.
 */
public final class Mesh implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(Mesh.class);

  private final ConfigSource source;
  private final ConfigLoader loader;
  private final List<MeshStage> stages;
  private final Clock clock;
  private final WorkloadIdentity workload;
  private final List<ConfigListener> listeners = new CopyOnWriteArrayList<>();
  private final List<MeshFeature> features;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final @Nullable LastGoodConfigStore lastGood;
  private final Object applyLock = new Object();
  private volatile MeshState state;
  private volatile ConfigStatus status;
  private @Nullable String lastRejectedHash;
  private volatile boolean closed;

  private Mesh(Builder b, ConfigSource source) {
    this.source = source;
    this.loader = b.loader;
    this.clock = b.clock;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = b.scheduler != null ? b.scheduler : newScheduler();

    this.lastGood = b.lastGood;
    InitialConfig initial = readInitial(source, b);
    List<ConfigDocument> docs = initial.documents();
    LoadedConfig loaded = loader.loadDocuments(docs); // throws ConfigException listing every problem
    this.workload = b.resolveWorkload(loaded.config());
    MeshSnapshot snapshot = MeshSnapshot.compile(loaded, workload, 1, source.description(), clock.instant(),
        origins(docs));

    // Written only here, during construction; read by features' lookups from any thread later.
    List<MeshFeature> created = new CopyOnWriteArrayList<>();
    MeshEnvironment env = new MeshEnvironment(workload, snapshot, clock, b.nanoTime, b.random, scheduler,
        new MeshEnvironment.Features() {
          @Override
          public <T> @Nullable T get(Class<T> type) {
            return find(created, type);
          }
        }, () -> status, b.openTelemetry); // status: null until start-up completes
    try {
      for (MeshFeature.Factory f : BuiltInFeatures.FACTORIES) {
        created.add(f.create(env));
      }
      for (MeshFeature.Factory f : b.features) {
        created.add(f.create(env));
      }
      this.features = List.copyOf(created);
      for (MeshFeature f : features) {
        if (f instanceof ConfigListener l) {
          listeners.add(l); // a feature that reports config changes (telemetry: reload counters, /mesh/config)
        }
      }

      List<MeshStage> all = new ArrayList<>();
      all.add(MeshStage.of("routing", StagePosition.at(OutboundRole.ROUTING), new RoutingStage(b.random)));
      for (MeshFeature f : features) {
        all.addAll(f.stages());
      }
      all.addAll(b.stages);
      if (b.loadStageProviders) {
        List<MeshStageProvider> providers = new ArrayList<>();
        ServiceLoader.load(MeshStageProvider.class, b.classLoader).forEach(providers::add);
        providers.sort(Comparator.comparing(p -> p.getClass().getName())); // deterministic order across runs
        for (MeshStageProvider p : providers) {
          all.addAll(p.stages());
        }
      }
      this.stages = List.copyOf(all);
      for (MeshFeature f : features) {
        f.onSnapshot(snapshot);
      }
      this.state = compose(snapshot);
    } catch (RuntimeException e) {
      closeAll(created);
      if (ownsScheduler) {
        scheduler.shutdownNow();
      }
      throw e;
    }
    this.status = new ConfigStatus(1, loaded.contentHash(), source.description(), snapshot.loadedAt(), 1, 0, null,
        initial.fromLastGood());
    logWarnings(snapshot);
    log.info("mesh config v1 applied for workload {}.{} from {} ({}): {}", workload.name(), workload.namespace(),
        initial.fromLastGood() ? "the last good copy " + (lastGood == null ? "" : lastGood.file()) : source.description(),
        snapshot.shortHash(), summary(loaded.config()));
    if (!initial.fromLastGood()) {
      persist(docs, snapshot);
    }
  }

  /** The documents the mesh starts from, and whether they are the persisted copy. */
  private record InitialConfig(List<ConfigDocument> documents, boolean fromLastGood) {}

  /**
   * Reads the source; when it is unreachable (an IOException, not a ConfigException) and a last-good store is
   * configured, retries until the start-up timeout and then starts from the persisted copy.
   */
  private static InitialConfig readInitial(ConfigSource source, Builder b) {
    long deadline = System.nanoTime() + b.sourceStartupTimeout.toNanos();
    long pauseMillis = 100;
    IOException failure;
    while (true) {
      try {
        return new InitialConfig(source.read(), false);
      } catch (IOException | UncheckedIOException e) {
        failure = e instanceof IOException io ? io : ((UncheckedIOException) e).getCause();
      }
      if (b.lastGood == null) {
        throw new UncheckedIOException("cannot read mesh configuration from " + source.description(), failure);
      }
      long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remaining <= 0) {
        break;
      }
      try {
        // Start-up only, never on a request path: waiting here is what "wait for the source" means.
        Thread.sleep(Math.min(remaining, pauseMillis));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        break;
      }
      pauseMillis = Math.min(pauseMillis * 2, 2000);
    }
    LastGoodConfigStore.Stored stored;
    try {
      stored = b.lastGood.load().orElse(null);
    } catch (IOException e) {
      failure.addSuppressed(e);
      stored = null;
    }
    if (stored == null) {
      throw new UncheckedIOException("cannot read mesh configuration from " + source.description()
          + " and there is no usable last good copy at " + b.lastGood.file(), failure);
    }
    log.warn("config source {} unreachable at start-up ({}); starting from the last good copy (v{} from {}, saved"
        + " {}); will switch to the source when it answers", source.description(), failure.toString(),
        stored.version(), stored.source(), stored.savedAt());
    return new InitialConfig(stored.documents(), true);
  }

  private void persist(List<ConfigDocument> documents, MeshSnapshot snapshot) {
    if (lastGood == null) {
      return;
    }
    try {
      lastGood.save(new LastGoodConfigStore.Stored(documents, snapshot.version(), snapshot.contentHash(),
          source.description(), clock.instant()));
    } catch (IOException | RuntimeException e) {
      log.warn("cannot persist the last good config to {}: {}", lastGood.file(), e.toString());
    }
  }

  private static ScheduledExecutorService newScheduler() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "inmesh-scheduler");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true); // cancelled timeouts must not pile up in the queue
    return executor;
  }

  private static void closeAll(List<MeshFeature> features) {
    for (int i = features.size() - 1; i >= 0; i--) {
      try {
        features.get(i).close();
      } catch (Exception e) {
        log.warn("closing mesh feature {} failed", features.get(i), e);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** This application's workload identity. */
  public WorkloadIdentity workload() {
    return workload;
  }

  /** The snapshot in force now. A request should read {@link #state()} once instead and keep it. */
  public MeshSnapshot snapshot() {
    return state.snapshot();
  }

  /** The snapshot and pipelines in force now, as one consistent value. */
  public MeshState state() {
    return state;
  }

  /** The configuration's status: version, hash, counters and the last rejected change. */
  public ConfigStatus configStatus() {
    return status;
  }

  /**
   * Sends {@code request} through the outbound pipeline, with {@code transport} making the actual call to the
   * endpoint the pipeline chose.
   */
  public CompletableFuture<MeshResponse> outbound(MeshRequest request, MeshService transport) {
    MeshState s = state;
    return s.execute(s.newContext(Direction.OUTBOUND, transport), request);
  }

  /** Runs {@code request} through the inbound pipeline, with {@code application} answering it when it is let in. */
  public CompletableFuture<MeshResponse> inbound(MeshRequest request, MeshService application) {
    MeshState s = state;
    return s.execute(s.newContext(Direction.INBOUND, application), request);
  }

  /** The feature of type {@code type} (for adapters: the TLS context, the endpoint registry...), or null. */
  public <T> @Nullable T feature(Class<T> type) {
    return find(features, type);
  }

  private static <T> @Nullable T find(List<MeshFeature> features, Class<T> type) {
    for (MeshFeature f : features) {
      if (type.isInstance(f)) {
        return type.cast(f);
      }
    }
    return null;
  }

  /** The mesh's scheduler, for timers of adapters (never shut it down). */
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Registers a listener; returns a handle that unregisters it. */
  public AutoCloseable addConfigListener(ConfigListener listener) {
    listeners.add(Objects.requireNonNull(listener));
    return () -> listeners.remove(listener);
  }

  /** Starts watching the config source. Called by {@link Builder#build()}; separate so tests can hold it back. */
  private Mesh startWatching() {
    source.watch(new ConfigSource.Listener() {
      @Override
      public void onChange(List<ConfigDocument> documents) {
        apply(documents);
      }

      @Override
      public void onUnchanged() {
        sourceReachable();
      }

      @Override
      public void onError(Exception error) {
        if (error instanceof IOException) {
          // The source is unreachable: nothing to validate, nothing rejected; the current config stays.
          log.debug("config source {} unreachable: {}", source.description(), error.toString());
          return;
        }
        List<ConfigProblem> problems = error instanceof ConfigException ce ? ce.problems()
            : List.of(new ConfigProblem(source.description(), 0, 0, "", "cannot read: " + error, null,
                ConfigProblem.Severity.ERROR));
        reject("", problems);
      }
    });
    return this;
  }

  /**
   * Applies new configuration text: a no-op when its hash is the one in force (or the one last rejected), a new
   * snapshot when it is valid, a rejection otherwise. Thread-safe; serialised.
   *
   * @return true when a new snapshot was applied
   */
  public boolean apply(List<ConfigDocument> documents) {
    synchronized (applyLock) {
      if (closed) {
        return false;
      }
      String hash = ConfigLoader.hash(documents);
      if (hash.equals(status.contentHash()) || hash.equals(lastRejectedHash)) {
        log.debug("mesh config from {} unchanged ({})", source.description(), hash);
        sourceReachable();
        return false;
      }
      LoadedConfig loaded;
      MeshState next;
      MeshState previous = state;
      try {
        loaded = loader.loadDocuments(documents);
        MeshSnapshot snapshot = MeshSnapshot.compile(loaded, workload, previous.snapshot().version() + 1,
            source.description(), clock.instant(), origins(documents));
        for (MeshFeature f : features) {
          f.onSnapshot(snapshot);
        }
        next = compose(snapshot);
      } catch (ConfigException e) {
        reject(hash, e.problems());
        return false;
      } catch (RuntimeException e) {
        // A feature or a stage factory failed on this snapshot: the old one keeps working.
        reject(hash, List.of(new ConfigProblem(source.description(), 0, 0, "", "cannot compile snapshot: " + e, null,
            ConfigProblem.Severity.ERROR)));
        log.debug("snapshot compile failure", e);
        return false;
      }
      state = next;
      lastRejectedHash = null;
      ConfigStatus old = status;
      status = new ConfigStatus(next.snapshot().version(), hash, source.description(), next.snapshot().loadedAt(),
          old.appliedCount() + 1, old.rejectedCount(), old.lastRejection(), false);
      persist(documents, next.snapshot());
      logWarnings(next.snapshot());
      log.info("mesh config v{} applied from {} ({}): {}; {}", next.snapshot().version(), source.description(),
          next.snapshot().shortHash(), summary(loaded.config()), diff(previous.snapshot().config(), loaded.config()));
      for (ConfigListener l : listeners) {
        try {
          l.onApplied(previous.snapshot(), next.snapshot());
        } catch (RuntimeException e) {
          log.warn("config listener {} failed", l, e);
        }
      }
      return true;
    }
  }

  /** The source answered: a mesh that started from its last good copy is now following the source again. */
  private void sourceReachable() {
    synchronized (applyLock) {
      ConfigStatus old = status;
      if (old.usingLastGoodCopy()) {
        status = new ConfigStatus(old.version(), old.contentHash(), old.source(), old.appliedAt(),
            old.appliedCount(), old.rejectedCount(), old.lastRejection(), false);
        log.info("config source {} reachable again; the last good copy v{} is current", source.description(),
            old.version());
      }
    }
  }

  private void reject(String hash, List<ConfigProblem> problems) {
    synchronized (applyLock) {
      ConfigStatus.ConfigRejection rejection = new ConfigStatus.ConfigRejection(clock.instant(), hash, problems);
      lastRejectedHash = hash.isEmpty() ? null : hash;
      ConfigStatus old = status;
      status = new ConfigStatus(old.version(), old.contentHash(), old.source(), old.appliedAt(), old.appliedCount(),
          old.rejectedCount() + 1, rejection, old.usingLastGoodCopy());
      log.warn("mesh config change from {} rejected; keeping v{} ({} errors):\n{}", source.description(),
          old.version(), problems.stream().filter(ConfigProblem::isError).count(),
          problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
      MeshSnapshot current = state.snapshot();
      for (ConfigListener l : listeners) {
        try {
          l.onRejected(rejection, current);
        } catch (RuntimeException e) {
          log.warn("config listener {} failed", l, e);
        }
      }
    }
  }

  private MeshState compose(MeshSnapshot snapshot) {
    // The terminals are the per-request transport / application the adapter put in the context.
    MeshService terminal = (ctx, request) -> ctx.terminal().execute(ctx, request);
    return new MeshState(snapshot,
        Pipeline.compose(Direction.OUTBOUND, stages, snapshot, terminal),
        Pipeline.compose(Direction.INBOUND, stages, snapshot, terminal));
  }

  private static List<String> origins(List<ConfigDocument> documents) {
    return documents.stream().map(ConfigDocument::origin).toList();
  }

  private static void logWarnings(MeshSnapshot snapshot) {
    if (!snapshot.warnings().isEmpty()) {
      log.warn("mesh config v{} has {} warnings:\n{}", snapshot.version(), snapshot.warnings().size(),
          snapshot.warnings().stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    }
  }

  static String summary(MeshConfig c) {
    int routes = c.services().stream().mapToInt(s -> s.routes().size()).sum();
    return c.services().size() + " services, " + routes + " routes, " + c.inbound().policyCount() + " policies";
  }

  /** A short diff for the INFO line of a reload: which services and policies changed. */
  static String diff(MeshConfig before, MeshConfig after) {
    Map<String, ServiceConfig> a = byKey(before);
    Map<String, ServiceConfig> b = byKey(after);
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (var e : b.entrySet()) {
      ServiceConfig old = a.get(e.getKey());
      if (old == null) {
        added.add(e.getKey());
      } else if (!old.equals(e.getValue())) {
        changed.add(e.getKey());
      }
    }
    Set<String> removed = new HashSet<>(a.keySet());
    removed.removeAll(b.keySet());
    StringBuilder sb = new StringBuilder("services");
    sb.append(" added ").append(added).append(" removed ").append(removed.stream().sorted().toList())
        .append(" changed ").append(changed);
    if (!before.inbound().equals(after.inbound())) {
      sb.append("; inbound policies changed");
    }
    if (!before.mesh().equals(after.mesh())) {
      sb.append("; mesh settings changed");
    }
    if (!before.telemetry().equals(after.telemetry()) || !before.admin().equals(after.admin())) {
      sb.append("; telemetry/admin changed");
    }
    return sb.toString();
  }

  private static Map<String, ServiceConfig> byKey(MeshConfig c) {
    Map<String, ServiceConfig> m = new LinkedHashMap<>();
    for (ServiceConfig s : c.services()) {
      m.put((s.namespace() != null ? s.namespace() : c.mesh().defaultNamespace()) + "/" + s.name(), s);
    }
    return m;
  }

  /** Stops watching the configuration. The last snapshot stays readable. Idempotent. */
  @Override
  public void close() {
    synchronized (applyLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    source.close();
    closeAll(features);
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    log.debug("mesh for {} closed", workload.name());
  }

  /** Options of a {@link Mesh}. */
  public static final class Builder {
    private @Nullable String workloadName;
    private @Nullable String namespace;
    private @Nullable String serviceAccount;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private @Nullable String zone;
    private List<Path> configPaths = List.of();
    private @Nullable ConfigSource configSource;
    private ConfigLoader loader = ConfigLoader.create();
    private final List<MeshStage> stages = new ArrayList<>();
    private boolean loadStageProviders = true;
    private ClassLoader classLoader = Mesh.class.getClassLoader();
    private Clock clock = Clock.systemUTC();
    private @Nullable RandomGenerator random;
    private @Nullable OpenTelemetry openTelemetry;
    private boolean watch = true;
    private final List<MeshFeature.Factory> features = new ArrayList<>();
    private @Nullable ScheduledExecutorService scheduler;
    private LongSupplier nanoTime = System::nanoTime;
    private @Nullable LastGoodConfigStore lastGood;
    private Duration sourceStartupTimeout = Duration.ofSeconds(5);

    private Builder() {}

    /** This application's workload (service) name. Required. */
    public Builder workload(String name) {
      this.workloadName = Objects.requireNonNull(name);
      return this;
    }

    /** The namespace; default: the namespace of the service of the same name, else {@code mesh.defaultNamespace}. */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace);
      return this;
    }

    /** The service account; default: the service's {@code serviceAccount}, else the workload name. */
    public Builder serviceAccount(String serviceAccount) {
      this.serviceAccount = Objects.requireNonNull(serviceAccount);
      return this;
    }

    /** A label of this workload (added to the service's labels and {@code app: <name>}). */
    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /** The locality zone of this instance. */
    public Builder zone(String zone) {
      this.zone = Objects.requireNonNull(zone);
      return this;
    }

    /** Configuration files and directories, read as one configuration and watched. */
    public Builder config(Path... paths) {
      this.configPaths = List.of(paths);
      return this;
    }

    /** Configuration files and directories, read as one configuration and watched. */
    public Builder config(List<Path> paths) {
      this.configPaths = List.copyOf(paths);
      return this;
    }

    /** Another configuration source (HTTP, etcd...) instead of files. The mesh closes it. */
    public Builder configSource(ConfigSource source) {
      this.configSource = Objects.requireNonNull(source);
      return this;
    }

    /** The environment for {@code ${VAR}} substitution (default: the process environment). */
    public Builder environment(Function<String, @Nullable String> env) {
      this.loader = ConfigLoader.withEnvironment(Objects.requireNonNull(env));
      return this;
    }

    /** Adds a stage of the application's own at a BEFORE or AFTER position. */
    public Builder addStage(MeshStage stage) {
      if (stage.position().placement() == StagePosition.Placement.AT) {
        throw new IllegalArgumentException("stage '" + stage.name() + "' claims built-in role "
            + stage.position().role() + "; place it BEFORE or AFTER the role");
      }
      stages.add(stage);
      return this;
    }

    /** Whether {@link MeshStageProvider}s on the class path are loaded (default true). */
    public Builder loadStageProviders(boolean load) {
      this.loadStageProviders = load;
      return this;
    }

    /** The class loader for {@link MeshStageProvider}s (default: InMesh's). */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader);
      return this;
    }

    /** The clock for timestamps (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /**
     * The application's OpenTelemetry, which the mesh records its spans with (sampling, processors and exporters
     * are then the application's). Default: {@code GlobalOpenTelemetry} when the application has set it, else an SDK
     * the mesh builds from {@code telemetry.tracing} when {@code opentelemetry-sdk} is on the class path, else no
     * spans (trace context is still propagated). The Spring Boot starter passes the application's bean.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry);
      return this;
    }

    /** The random source of traffic splits (default: ThreadLocalRandom); set a seeded one in tests. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /** Adds a feature of the application's own (its stages, its per-snapshot state, closed with the mesh). */
    public Builder addFeature(MeshFeature.Factory feature) {
      features.add(Objects.requireNonNull(feature));
      return this;
    }

    /** The scheduler for the mesh's timers (default: one daemon thread the mesh owns and shuts down). */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    /** Monotonic time in nanoseconds for features (default System::nanoTime); tests pass a fake clock. */
    public Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime);
      return this;
    }

    /**
     * Keeps the last applied configuration in {@code file} (written atomically, mode 0600) and starts from it when
     * the config source is unreachable at start-up.
     */
    public Builder lastGoodConfig(Path file) {
      this.lastGood = LastGoodConfigStore.at(file);
      return this;
    }

    /** How long start-up waits for an unreachable source before using the last good copy (default 5 s). */
    public Builder sourceStartupTimeout(Duration timeout) {
      this.sourceStartupTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Whether to watch the source for changes (default true). */
    public Builder watch(boolean watch) {
      this.watch = watch;
      return this;
    }

    /**
     * Reads and validates the configuration, compiles the first snapshot and starts watching.
     *
     * @throws ConfigException when the configuration is invalid (every problem listed)
     * @throws UncheckedIOException when it cannot be read
     */
    public Mesh build() {
      if (workloadName == null || workloadName.isBlank()) {
        throw new IllegalStateException("workload(name) is required");
      }
      ConfigSource source = configSource;
      if (source == null) {
        if (configPaths.isEmpty()) {
          throw new IllegalStateException("config(paths) or configSource(source) is required");
        }
        source = FileConfigSource.builder(configPaths).loader(loader).build();
      }
      Mesh mesh;
      try {
        mesh = new Mesh(this, source);
      } catch (RuntimeException e) {
        source.close();
        throw e;
      }
      return watch ? mesh.startWatching() : mesh;
    }

    /**
     * The workload identity this builder resolves against {@code config} (namespace, service account and labels
     * filled in from the workload's own service and the mesh defaults); for tools such as {@code mesh explain}.
     */
    public WorkloadIdentity resolveWorkload(MeshConfig config) {
      String name = Objects.requireNonNull(workloadName);
      String defaultNs = config.mesh().defaultNamespace();
      ServiceConfig own = null;
      for (ServiceConfig s : config.services()) {
        String ns = s.namespace() != null ? s.namespace() : defaultNs;
        if (s.name().equals(name) && (namespace == null || namespace.equals(ns))) {
          if (own == null || ns.equals(defaultNs)) {
            own = s;
          }
        }
      }
      String ns = namespace != null ? namespace
          : own != null && own.namespace() != null ? own.namespace() : defaultNs;
      String sa = serviceAccount != null ? serviceAccount
          : own != null && own.serviceAccount() != null ? own.serviceAccount() : name;
      Map<String, String> allLabels = new HashMap<>();
      allLabels.put("app", name);
      if (own != null) {
        allLabels.putAll(own.labels());
      }
      allLabels.putAll(labels);
      return new WorkloadIdentity(name, ns, sa, allLabels, zone);
    }
  }

  /** For tests and diagnostics: a new context on the current state. */
  MeshContext newContext(Direction direction, MeshService terminal) {
    return state.newContext(direction, terminal);
  }
}
