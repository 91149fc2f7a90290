package io.inmesh.internal;

import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Thread helpers shared by InMesh's watchers (config sources, certificate files, etcd watches). Not API. */
public final class Threads {
  /** How long a closing watcher waits for its thread: long enough for one poll to notice, short enough to not hang. */
  private static final long STOP_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(5);

  private Threads() {}

  /**
   * Interrupts {@code thread} and waits for it to end (up to 5 s); keeps the caller's interrupt status if the wait
   * itself is interrupted. A null thread (never started) is a no-op.
   */
  public static void stop(@Nullable Thread thread) {
    if (thread == null) {
      return;
    }
    thread.interrupt();
    try {
      thread.join(STOP_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
