package io.inmesh.config.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Istio and Go write them: one or more {@code <number><unit>} parts, units {@code h m s ms us ns}
 * ({@code 250ms}, {@code 5s}, {@code 1m30s}, {@code 1.5s}).
 */
public final class Durations {
  public static final String EXPECTED = "a duration such as 250ms, 5s, 1m or 1h30m";
  private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private Durations() {}

  /**
   * Parses a duration; throws {@link IllegalArgumentException} with a short reason ("missing unit", "unknown unit
   * 'sec'"). Fractions are exact to the nanosecond ({@code 1.001s} is 1001 ms, not 1000.999999 ms); digits beyond
   * nanoseconds are dropped.
   */
  public static Duration parse(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.startsWith("-")) {
      throw new IllegalArgumentException("negative durations are not allowed");
    }
    Matcher number = NUMBER.matcher(s);
    int pos = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (pos < s.length()) {
      if (!number.find(pos) || number.start() != pos) {
        throw new IllegalArgumentException(pos == 0 ? "must start with a number" : "unexpected '" + s.substring(pos)
            + "'");
      }
      int unitStart = number.end();
      int unitEnd = unitStart;
      while (unitEnd < s.length() && !Character.isDigit(s.charAt(unitEnd))) {
        unitEnd++;
      }
      String unit = s.substring(unitStart, unitEnd);
      if (unit.isEmpty()) {
        throw new IllegalArgumentException("missing unit");
      }
      long unitNanos = switch (unit) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> throw new IllegalArgumentException("unknown unit '" + unit + "'");
      };
      nanos = nanos.add(new BigDecimal(number.group()).multiply(BigDecimal.valueOf(unitNanos)));
      if (nanos.compareTo(MAX_NANOS) > 0) {
        throw new IllegalArgumentException("duration too long");
      }
      pos = unitEnd;
    }
    return Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
  }

  /** Formats a duration the way a user would write it in the config ({@code 250ms}, {@code 5s}, {@code 1m30s}). */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative()) {
      return "-" + format(d.negated());
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
