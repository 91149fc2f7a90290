package io.inmesh.pipeline;

import io.inmesh.MeshSnapshot;
import io.inmesh.discovery.Endpoint;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state of one request as it passes through a pipeline: the snapshot it started on (kept to the end), the
 * decisions stages made (service, route, destination, attempt, deadline, peer identity), and typed attributes for
 * stages of their own. Owned by one request; stages hand it on, never share it between requests.
 */
public final class MeshContext {
  /** A typed key for {@link #attribute}. Compared by identity: create each key once, as a constant. */
  public static final class Key<T> {
    private final String name;

    private Key(String name) {
      this.name = name;
    }

    public static <T> Key<T> of(String name) {
      return new Key<>(name);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** No deadline. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private final Direction direction;
  private final MeshSnapshot snapshot;
  private final MeshService terminal;
  private final long startNanos;
  private @Nullable CompiledService service;
  private @Nullable CompiledRoute route;
  private @Nullable WeightedDestination destination;
  private int attempt = 1;
  private long deadlineNanos = NO_DEADLINE;
  private long attemptDeadlineNanos = NO_DEADLINE;
  private @Nullable String peerPrincipal;
  private @Nullable String remoteAddress;
  private @Nullable Endpoint endpoint;
  private @Nullable String responseFlags;
  /**
   * Attributes as alternating keys and values, searched linearly by key identity: a request carries a handful, and an
   * array of eight slots is a third of the smallest IdentityHashMap (per request, on both sides).
   */
  private @Nullable Object @Nullable [] attributes;
  private int attributeCount;

  /**
   * A context for one request.
   *
   * @param direction the pipeline the request runs through
   * @param snapshot the snapshot the request runs on, to the end
   * @param terminal what the pipeline calls last: the adapter's transport (outbound) or the application (inbound)
   * @param startNanos {@link System#nanoTime()} at the start of the request
   */
  public MeshContext(Direction direction, MeshSnapshot snapshot, MeshService terminal, long startNanos) {
    this.direction = Objects.requireNonNull(direction, "direction");
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.terminal = Objects.requireNonNull(terminal, "terminal");
    this.startNanos = startNanos;
  }

  public Direction direction() {
    return direction;
  }

  /** The snapshot this request started on. */
  public MeshSnapshot snapshot() {
    return snapshot;
  }

  /** The transport (outbound) or the application (inbound). */
  public MeshService terminal() {
    return terminal;
  }

  public long startNanos() {
    return startNanos;
  }

  /** The destination service (outbound), once known. */
  public @Nullable CompiledService service() {
    return service;
  }

  public MeshContext service(@Nullable CompiledService service) {
    this.service = service;
    return this;
  }

  /** The matched route (outbound), once routing ran. */
  public @Nullable CompiledRoute route() {
    return route;
  }

  public MeshContext route(@Nullable CompiledRoute route) {
    this.route = route;
    return this;
  }

  /** The weighted destination chosen for this request (the split is per request, not per attempt). */
  public @Nullable WeightedDestination destination() {
    return destination;
  }

  public MeshContext destination(@Nullable WeightedDestination destination) {
    this.destination = destination;
    return this;
  }

  /** The attempt number, 1 for the first try. */
  public int attempt() {
    return attempt;
  }

  public MeshContext attempt(int attempt) {
    this.attempt = attempt;
    return this;
  }

  /** The deadline as a {@link System#nanoTime()} value, or {@link #NO_DEADLINE}. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** Tightens the deadline; a later deadline than the current one is ignored. */
  public MeshContext deadlineNanos(long deadlineNanos) {
    // nanoTime values are compared by difference: they may wrap.
    if (this.deadlineNanos == NO_DEADLINE || deadlineNanos - this.deadlineNanos < 0) {
      this.deadlineNanos = deadlineNanos;
    }
    return this;
  }

  /**
   * When the attempt being sent must end, as a {@link System#nanoTime()} value, or {@link #NO_DEADLINE}: the bound the
   * ATTEMPT_TIMEOUT stage sets before each attempt (its per-try timeout or what is left of the deadline, whichever
   * ends first). The stage enforces it with a timer on the mesh scheduler; a transport that runs the attempt's I/O on
   * the calling thread before returning may enforce it itself (a socket or call timeout) and then fails the attempt
   * with {@link io.inmesh.resilience.MeshTimeoutException}, which the stage counts as its own.
   */
  public long attemptDeadlineNanos() {
    return attemptDeadlineNanos;
  }

  public MeshContext attemptDeadlineNanos(long attemptDeadlineNanos) {
    this.attemptDeadlineNanos = attemptDeadlineNanos;
    return this;
  }

  /** The peer's principal (Istio form) from mTLS, or null. */
  public @Nullable String peerPrincipal() {
    return peerPrincipal;
  }

  public MeshContext peerPrincipal(@Nullable String peerPrincipal) {
    this.peerPrincipal = peerPrincipal;
    return this;
  }

  /** The endpoint the load balancer chose for the current attempt (outbound), or null before it ran. */
  public @Nullable Endpoint endpoint() {
    return endpoint;
  }

  public MeshContext endpoint(@Nullable Endpoint endpoint) {
    this.endpoint = endpoint;
    return this;
  }

  /** The peer's IP address (inbound: the client; outbound: unused), or null. */
  public @Nullable String remoteAddress() {
    return remoteAddress;
  }

  public MeshContext remoteAddress(@Nullable String remoteAddress) {
    this.remoteAddress = remoteAddress;
    return this;
  }

  /**
   * Envoy-style response flags for metrics and the access log ({@code UF}, {@code UO}, {@code UT}, {@code URX},
   * {@code RL}, {@code RBAC}, {@code NR}, {@code FI}, {@code DC}), comma-separated, or null when none.
   */
  public @Nullable String responseFlags() {
    return responseFlags;
  }

  /** Adds a response flag. */
  public MeshContext addResponseFlag(String flag) {
    if (responseFlags == null) {
      responseFlags = flag;
    } else if (!hasFlag(responseFlags, flag)) {
      responseFlags = responseFlags + ',' + flag;
    }
    return this;
  }

  /** Whether the response flags include {@code flag}. */
  public boolean hasResponseFlag(String flag) {
    return responseFlags != null && hasFlag(responseFlags, flag);
  }

  /** Whether the comma-separated {@code flags} include {@code flag}, without building strings (per request). */
  private static boolean hasFlag(String flags, String flag) {
    int i = flags.indexOf(flag);
    while (i >= 0) {
      int end = i + flag.length();
      if ((i == 0 || flags.charAt(i - 1) == ',') && (end == flags.length() || flags.charAt(end) == ',')) {
        return true;
      }
      i = flags.indexOf(flag, i + 1);
    }
    return false;
  }

  /** The attribute stored under {@code key}, or null. */
  @SuppressWarnings("unchecked")
  public <T> @Nullable T attribute(Key<T> key) {
    Object[] a = attributes;
    if (a != null) {
      for (int i = 0, n = attributeCount * 2; i < n; i += 2) {
        if (a[i] == key) {
          return (T) a[i + 1];
        }
      }
    }
    return null;
  }

  /** Stores an attribute (null removes it). */
  public <T> MeshContext attribute(Key<T> key, @Nullable T value) {
    Object[] a = attributes;
    int n = attributeCount * 2;
    for (int i = 0; a != null && i < n; i += 2) {
      if (a[i] == key) {
        if (value != null) {
          a[i + 1] = value;
        } else {
          // Move the last pair into the hole.
          a[i] = a[n - 2];
          a[i + 1] = a[n - 1];
          a[n - 2] = null;
          a[n - 1] = null;
          attributeCount--;
        }
        return this;
      }
    }
    if (value != null) {
      if (a == null) {
        a = attributes = new Object[8];
      } else if (n == a.length) {
        a = attributes = Arrays.copyOf(a, n * 2);
      }
      a[n] = key;
      a[n + 1] = value;
      attributeCount++;
    }
    return this;
  }
}
