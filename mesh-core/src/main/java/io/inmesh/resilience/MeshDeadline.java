package io.inmesh.resilience;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The deadline of the request this thread is serving, so that outbound calls made while serving it inherit it
 * without the application passing it along (gRPC's {@code Context} deadline, in-process).
 *
 * <p>The inbound DEADLINE stage reads the remaining time from the {@value #HEADER} header the caller's mesh sent
 * (remaining milliseconds, an integer), answers 504 without calling the application when it is already spent, and
 * otherwise makes the deadline current while the application runs synchronously. The outbound pipeline reads {@link
 * #current()} when a request starts: its effective deadline is the earlier of the route {@code timeout} and the
 * inherited deadline, and it sends the time remaining for each attempt in {@value #HEADER} again, so the deadline
 * shrinks hop by hop.
 *
 * <p>Asynchronous applications that continue on another thread carry the deadline with {@link #wrap(Runnable)} or
 * {@link #makeCurrent()}:
 *
 * <pre>{@code
 * MeshDeadline deadline = MeshDeadline.current();
 * executor.execute(deadline == null ? task : deadline.wrap(task));
 * }</pre>
 *
 * <p>Time is {@link System#nanoTime()}, as {@link io.inmesh.pipeline.MeshContext#deadlineNanos()}.
 */
public final class MeshDeadline {
  /**
   * The header carrying the remaining time to the upstream, in whole milliseconds (as Envoy's {@code
   * x-envoy-expected-rq-timeout-ms}: relative, so the two hosts' clocks need not agree).
   */
  public static final String HEADER = "x-mesh-deadline-ms";

  private static final ThreadLocal<@Nullable MeshDeadline> CURRENT = new ThreadLocal<>();

  private final long deadlineNanos;

  private MeshDeadline(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  /** The deadline of the request this thread serves, or null when there is none. */
  public static @Nullable MeshDeadline current() {
    return CURRENT.get();
  }

  /** A deadline {@code timeout} from now. */
  public static MeshDeadline after(Duration timeout) {
    return atNanos(System.nanoTime() + saturatedNanos(timeout));
  }

  /** A deadline at {@code deadlineNanos}, a {@link System#nanoTime()} value. */
  public static MeshDeadline atNanos(long deadlineNanos) {
    return new MeshDeadline(deadlineNanos);
  }

  /** The deadline as a {@link System#nanoTime()} value. */
  public long nanoTime() {
    return deadlineNanos;
  }

  /** The time left, zero when expired. */
  public Duration remaining() {
    long left = deadlineNanos - System.nanoTime();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  /** The time left in {@code unit} (rounded down), zero when expired. */
  public long remaining(TimeUnit unit) {
    long left = deadlineNanos - System.nanoTime();
    return left <= 0 ? 0 : unit.convert(left, TimeUnit.NANOSECONDS);
  }

  /** Whether the deadline has passed. */
  public boolean expired() {
    return deadlineNanos - System.nanoTime() <= 0;
  }

  /**
   * Makes this deadline the current one until the returned scope is closed, which restores the previous one. Close it
   * on the same thread, in a {@code try}-with-resources block.
   */
  public Scope makeCurrent() {
    MeshDeadline previous = CURRENT.get();
    CURRENT.set(this);
    return new Scope(previous);
  }

  /** {@code task} running with this deadline current (for hand-off to another thread). */
  public Runnable wrap(Runnable task) {
    return () -> {
      try (Scope ignored = makeCurrent()) {
        task.run();
      }
    };
  }

  /** {@code task} running with this deadline current (for hand-off to another thread). */
  public <T> Callable<T> wrap(Callable<T> task) {
    return () -> {
      try (Scope ignored = makeCurrent()) {
        return task.call();
      }
    };
  }

  /** Restores the deadline that was current before {@link #makeCurrent()}. */
  public static final class Scope implements AutoCloseable {
    private final @Nullable MeshDeadline previous;

    private Scope(@Nullable MeshDeadline previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
    }
  }

  @Override
  public String toString() {
    return "MeshDeadline[remaining=" + remaining(TimeUnit.MILLISECONDS) + "ms]";
  }
}
