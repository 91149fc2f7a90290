package io.inmesh.telemetry.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The live tap: request summaries fanned out to subscribers (the admin's {@code /mesh/tap} streams). A request only
 * checks a volatile array; with subscribers it offers to each matching one's bounded lock-free queue, and when a
 * queue is full the summary is dropped and counted: a slow reader never slows requests.
 */
public final class Tap {
  /** Events a subscriber may have queued before new ones are dropped. */
  public static final int QUEUE_CAPACITY = 1024;
  /** Concurrent subscribers at most. */
  public static final int MAX_SUBSCRIBERS = 16;

  /**
   * What a subscriber wants; null fields match everything.
   *
   * @param service service name
   * @param pathPrefix path prefix
   * @param method method, case-insensitive
   * @param status exact status, or a class such as {@code 5xx}
   */
  public record Filter(@Nullable String service, @Nullable String pathPrefix, @Nullable String method,
      @Nullable String status) {
    boolean matches(String svc, String m, String path, int code) {
      if (service != null && !service.equals(svc)) {
        return false;
      }
      if (pathPrefix != null && !path.startsWith(pathPrefix)) {
        return false;
      }
      if (method != null && !method.equalsIgnoreCase(m)) {
        return false;
      }
      if (status != null) {
        String s = status.toLowerCase(Locale.ROOT);
        if (s.length() == 3 && s.endsWith("xx")) {
          return code / 100 == s.charAt(0) - '0';
        }
        return s.equals(Integer.toString(code));
      }
      return true;
    }
  }

  /** A subscriber's end: poll events, close when done. */
  public final class Subscription implements AutoCloseable {
    private final Filter filter;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private volatile @Nullable Thread waiter;

    private Subscription(Filter filter) {
      this.filter = filter;
    }

    void offer(String json) {
      if (size.incrementAndGet() > QUEUE_CAPACITY) {
        size.decrementAndGet();
        dropped.increment();
        totalDropped.increment();
        return;
      }
      queue.offer(json);
      Thread t = waiter;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }

    /** The next event, waiting up to {@code timeout}; null when none came. */
    public @Nullable String poll(long timeout, TimeUnit unit) {
      long deadline = System.nanoTime() + unit.toNanos(timeout);
      while (true) {
        String e = queue.poll();
        if (e != null) {
          size.decrementAndGet();
          return e;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || Thread.currentThread().isInterrupted()) {
          return null;
        }
        waiter = Thread.currentThread();
        if (queue.isEmpty()) {
          LockSupport.parkNanos(this, left);
        }
        waiter = null;
      }
    }

    /** Events dropped for this subscriber because it read too slowly. */
    public long dropped() {
      return dropped.sum();
    }

    @Override
    public void close() {
      remove(this);
    }
  }

  private volatile Subscription[] subscribers = new Subscription[0];
  private final LongAdder totalDropped = new LongAdder();

  /** True when someone listens: the caller builds an event only then. */
  public boolean active() {
    return subscribers.length > 0;
  }

  /** Publishes to every matching subscriber. */
  public void publish(String service, String method, String path, int status, java.util.function.Supplier<String> json) {
    Subscription[] subs = subscribers;
    String encoded = null;
    for (Subscription s : subs) {
      if (s.filter.matches(service, method, path, status)) {
        if (encoded == null) {
          encoded = json.get();
        }
        s.offer(encoded);
      }
    }
  }

  /** A new subscription, or null when {@link #MAX_SUBSCRIBERS} are already listening. */
  public synchronized @Nullable Subscription subscribe(Filter filter) {
    if (subscribers.length >= MAX_SUBSCRIBERS) {
      return null;
    }
    Subscription s = new Subscription(filter);
    Subscription[] next = Arrays.copyOf(subscribers, subscribers.length + 1);
    next[next.length - 1] = s;
    subscribers = next;
    return s;
  }

  private synchronized void remove(Subscription s) {
    List<Subscription> list = new ArrayList<>(Arrays.asList(subscribers));
    list.remove(s);
    subscribers = list.toArray(new Subscription[0]);
  }

  /** Events dropped across all subscribers since start. */
  public long dropped() {
    return totalDropped.sum();
  }
}
