package io.inmesh.admin;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What the admin server shows; implemented by the telemetry feature. Each call may run on any admin thread. */
public interface AdminSource {

  /** The Prometheus text exposition of every metric. */
  String metrics();

  /** Whether the workload is ready to serve (config loaded, identity valid), and why not. */
  Health readiness();

  /** {@code /mesh/stats} as JSON. */
  String stats();

  /** {@code /mesh/edges} as JSON. */
  String edges();

  /** {@code /mesh/config} as JSON, secrets redacted. */
  String config();

  /**
   * A tap subscription for the filters in {@code query} ({@code service}, {@code path} prefix, {@code method},
   * {@code status} such as {@code 503} or {@code 5xx}), or null when too many readers are listening.
   */
  @Nullable TapStream tap(Map<String, String> query);

  /**
   * A health answer.
   *
   * @param ok healthy
   * @param detail one line per check
   */
  record Health(boolean ok, String detail) {}

  /** One reader's stream of request summaries. */
  interface TapStream extends AutoCloseable {
    /** The next event as JSON, or null when none came within {@code timeoutMillis}. */
    @Nullable String next(long timeoutMillis);

    /** Events dropped for this reader because it read too slowly. */
    long dropped();

    @Override
    void close();
  }
}
