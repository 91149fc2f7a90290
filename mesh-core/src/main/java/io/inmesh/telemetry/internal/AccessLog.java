package io.inmesh.telemetry.internal;

import io.inmesh.config.TelemetryConfig;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON access log: one line per request on the SLF4J logger {@code inmesh.access} at INFO (the application's
 * logging configuration decides where it goes), for every request, a random sample, or none.
 */
public final class AccessLog {
  /** The logger's name. */
  public static final String LOGGER = "inmesh.access";
  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  private final TelemetryConfig.AccessLogMode mode;
  private final double percentage;

  public AccessLog(TelemetryConfig.AccessLog config) {
    this.mode = config.mode();
    this.percentage = config.samplePercentage();
  }

  /** Whether this request is logged: decided once per request, before building the line. */
  public boolean sample() {
    return switch (mode) {
      case OFF -> false;
      case ALL -> log.isInfoEnabled();
      case SAMPLED -> percentage > 0 && ThreadLocalRandom.current().nextDouble(100.0) < percentage
          && log.isInfoEnabled();
    };
  }

  public void write(String json) {
    log.info(json);
  }
}
