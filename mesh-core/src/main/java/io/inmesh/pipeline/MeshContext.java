package io.inmesh.pipeline;

import io.inmesh.MeshSnapshot;
import io.inmesh.discovery.Endpoint;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.util.IdentityHashMap;
import java.util.Map;
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
  private @Nullable String peerPrincipal;
  private @Nullable String remoteAddress;
  private @Nullable Endpoint endpoint;
  private @Nullable String responseFlags;
  private @Nullable Map<Key<?>, Object> attributes;

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
    } else if (!(',' + responseFlags + ',').contains(',' + flag + ',')) {
      responseFlags = responseFlags + ',' + flag;
    }
    return this;
  }

  /** The attribute stored under {@code key}, or null. */
  @SuppressWarnings("unchecked")
  public <T> @Nullable T attribute(Key<T> key) {
    return attributes == null ? null : (T) attributes.get(key);
  }

  /** Stores an attribute (null removes it). */
  public <T> MeshContext attribute(Key<T> key, @Nullable T value) {
    if (value == null) {
      if (attributes != null) {
        attributes.remove(key);
      }
    } else {
      if (attributes == null) {
        attributes = new IdentityHashMap<>(4);
      }
      attributes.put(key, value);
    }
    return this;
  }
}
