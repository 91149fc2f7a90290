package io.inmesh.config.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Istio and Go write them: one or more {@code <number><unit>} parts, units {@code h m s ms us ns}
 * ({@code 250ms}, {@code 5s}, {@code 1m30s}, {@code 1.5s}).
 */
public final class Durations {
  public static final String EXPECTED = "a duration such as 250ms, 5s, 1m or 1h30m";
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  /** Parses a duration; throws {@link IllegalArgumentException} with a short reason. */
  public static Duration parse(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(s);
    int pos = 0;
    long nanos = 0;
    while (pos < s.length()) {
      if (!m.find(pos) || m.start() != pos) {
        throw new IllegalArgumentException(
            s.chars().allMatch(Character::isDigit) ? "missing unit" : "malformed duration");
      }
      double value = Double.parseDouble(m.group(1));
      double unitNanos = switch (m.group(2)) {
        case "ns" -> 1;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        case "h" -> 3600e9;
        default -> throw new IllegalStateException(m.group(2));
      };
      double part = value * unitNanos;
      if (part > Long.MAX_VALUE - (double) nanos) {
        throw new IllegalArgumentException("duration too long");
      }
      nanos += (long) part;
      pos = m.end();
    }
    return Duration.ofNanos(nanos);
  }

  /** Formats a duration the way a user would write it in the config ({@code 250ms}, {@code 5s}, {@code 1m30s}). */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    long nanos = d.toNanos();
    if (nanos % 1_000_000 != 0) {
      return nanos % 1000 == 0 ? nanos / 1000 + "us" : nanos + "ns";
    }
    long ms = nanos / 1_000_000;
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    StringBuilder sb = new StringBuilder();
    if (s >= 3600) {
      sb.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      sb.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0) {
      sb.append(s).append('s');
    }
    return sb.toString();
  }
}
