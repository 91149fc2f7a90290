package io.inmesh.http.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The thread that runs an OkHttp call's interceptor (the caller's for {@code execute()}, a dispatcher thread for
 * {@code enqueue()}), lent to the mesh while it waits for the pipeline: each attempt's blocking I/O is handed here
 * and runs on it, so a meshed call holds one thread, as a plain OkHttp call does, whichever thread (the mesh
 * scheduler after a fault delay or a retry backoff) decided to send the attempt. Waits (delays, backoffs) hold no
 * thread beyond this one.
 */
final class CallerThread {
  /** How often a meshed call checks whether it was canceled. */
  private static final long CANCEL_CHECK_MILLIS = 50;
  private static final Runnable WAKE_UP = () -> {};

  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private boolean closed; // guarded by this

  /** Queues {@code task} for the waiting thread; false when it no longer waits (run the task elsewhere). */
  synchronized boolean offer(Runnable task) {
    if (closed) {
      return false;
    }
    tasks.add(task);
    return true;
  }

  /**
   * Runs queued tasks until {@code result} completes, then returns its value.
   *
   * @param canceled whether the call was canceled (OkHttp's cancel does not wake an interceptor: a watchdog on
   *     {@code scheduler} checks it while the call waits or an attempt runs)
   * @param onCancel stops the work in flight when the call is canceled or the thread interrupted
   */
  <T> T await(CompletableFuture<T> result, BooleanSupplier canceled, Runnable onCancel, CancelWatch watch)
      throws IOException {
    result.whenComplete((r, e) -> tasks.add(WAKE_UP));
    Runnable check = () -> {
      if (canceled.getAsBoolean() && result.completeExceptionally(new IOException("Canceled"))) {
        onCancel.run();
      }
    };
    watch.add(check);
    try {
      while (!result.isDone()) {
        tasks.take().run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      onCancel.run();
      throw new InterruptedIOException("interrupted while waiting for the mesh");
    } finally {
      watch.remove(check);
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
      left = tasks.toArray(Runnable[]::new);
      tasks.clear();
    }
    // Attempts queued after the result was decided (none in the built-in stages) still run, so their futures end.
    for (Runnable r : left) {
      r.run();
    }
  }
}
