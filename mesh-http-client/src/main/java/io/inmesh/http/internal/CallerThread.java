package io.inmesh.http.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The thread that runs an OkHttp call's interceptor (the caller's for {@code execute()}, a dispatcher thread for
 * {@code enqueue()}), lent to the mesh while it waits for the pipeline: each attempt's blocking I/O runs on it, so a
 * meshed call holds one thread, as a plain OkHttp call does, whichever thread (the mesh scheduler after a fault delay
 * or a retry backoff) decided to send the attempt. Waits (delays, backoffs) hold no thread beyond this one.
 *
 * <p>An attempt the pipeline sends before it returns (the first one, nearly always) runs right there, inline; later
 * ones (after a backoff, on the scheduler) are queued for the thread, which takes them while it waits. Inline, the
 * attempt skips the hand-over through the queue and the attempt-timeout timer (the call's own timeout bounds it),
 * which was a measurable part of a meshed call's CPU.
 */
final class CallerThread {
  /** How often a meshed call checks whether it was canceled. */
  private static final long CANCEL_CHECK_MILLIS = 50;
  private static final Runnable WAKE_UP = () -> {};

  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final Thread owner = Thread.currentThread();
  /** Stops the work in flight (cancels the attempts' calls): on cancellation and on interrupt. */
  private final Runnable onCancel;
  /** Set by the owner when it starts waiting: from then on attempts are queued (read by the owner only). */
  private boolean waiting;
  private volatile boolean canceled;
  private volatile @Nullable CompletableFuture<?> result;
  private boolean closed; // guarded by this

  /** The thread of one call; {@code onCancel} stops the work in flight (the attempts' calls). */
  CallerThread(Runnable onCancel) {
    this.onCancel = onCancel;
  }

  /**
   * Whether an attempt may run inline: on the owner thread, before it waits. Once it waits, an attempt decided on it
   * comes from a completion callback of the previous one, whose other callbacks (balancer, outlier detection) must
   * run before the next attempt starts: those are queued.
   */
  boolean mayRunInline() {
    return Thread.currentThread() == owner && !waiting;
  }

  /** Whether the call was canceled: no further attempt is started. */
  boolean canceled() {
    return canceled;
  }

  /** Queues {@code task} for the waiting thread; false when it no longer waits (run the task elsewhere). */
  synchronized boolean offer(Runnable task) {
    if (closed) {
      return false;
    }
    tasks.add(task);
    return true;
  }

  /**
   * The cancellation check for {@link CancelWatch}, registered before the pipeline starts (an inline attempt blocks
   * the thread inside it): when {@code isCanceled} says so, it fails the call's result and runs {@code onCancel},
   * which stops the I/O in flight.
   */
  Runnable cancelCheck(BooleanSupplier isCanceled) {
    return () -> {
      if (!canceled && isCanceled.getAsBoolean()) {
        canceled = true;
        CompletableFuture<?> r = result;
        if (r != null) {
          r.completeExceptionally(new IOException("Canceled"));
        }
        onCancel.run();
      }
    };
  }

  /**
   * Runs queued tasks until {@code result} completes, then returns its value; an interrupt runs {@code onCancel}.
   */
  <T> T await(CompletableFuture<T> result) throws IOException {
    waiting = true;
    this.result = result;
    if (canceled) { // the check ran before the result existed
      result.completeExceptionally(new IOException("Canceled"));
    }
    if (!result.isDone()) {
      result.whenComplete((r, e) -> tasks.add(WAKE_UP));
    }
    try {
      while (!result.isDone()) {
        tasks.take().run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      onCancel.run();
      throw new InterruptedIOException("interrupted while waiting for the mesh");
    } finally {
      close();
    }
    try {
      return result.join();
    } catch (RuntimeException e) {
      throw Transports.rethrow(e);
    }
  }

  /**
   * Checks the calls waiting on their threads for cancellation: OkHttp's cancel does not wake an interceptor, and a
   * thread blocked in an attempt's I/O cannot look itself. One periodic task per client for all its calls, rather
   * than a timer scheduled and cancelled per call (which cost a context switch per request under load).
   */
  static final class CancelWatch {
    private final java.util.Set<Runnable> checks = java.util.concurrent.ConcurrentHashMap.newKeySet();

    CancelWatch(ScheduledExecutorService scheduler) {
      try {
        scheduler.scheduleWithFixedDelay(() -> {
          for (Runnable check : checks) {
            check.run();
          }
        }, CANCEL_CHECK_MILLIS, CANCEL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the mesh is closing: calls still end with their own timeouts
      }
    }

    void add(Runnable check) {
      checks.add(check);
    }

    void remove(Runnable check) {
      checks.remove(check);
    }
  }

  private void close() {
    Runnable[] left;
    synchronized (this) {
      closed = true;
      if (tasks.isEmpty()) {
        return; // the usual case
      }
      left = tasks.toArray(Runnable[]::new);
      tasks.clear();
    }
    // Attempts queued after the result was decided (none in the built-in stages) still run, so their futures end.
    for (Runnable r : left) {
      r.run();
    }
  }
}
