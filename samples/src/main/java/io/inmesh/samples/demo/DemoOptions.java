package io.inmesh.samples.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@code mesh demo} was asked to do. The CLI ({@code io.inmesh.cli.DemoCommand}) parses and documents the
 * options and passes them on in this exact form; {@link #parse} accepts only that form.
 *
 * @param duration how long the load runs before the demo stops by itself; null: until interrupted
 * @param json print one JSON summary on stdout at the end, and nothing else there
 * @param basePort the first of 20 consecutive ports the demo listens on; null: the fixed default ports
 * @param rps requests per second the load generator sends to {@code frontend}
 * @param config the shared mesh configuration (watched: edits apply while the demo runs)
 * @param stateDir where the demo's dev CA ({@code demo-ca}), the intruder's CA and the log file live
 */
record DemoOptions(@Nullable Duration duration, boolean json, @Nullable Integer basePort, int rps, Path config,
    Path stateDir) {

  static final int DEFAULT_RPS = 100;
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  DemoOptions {
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("--duration: " + duration + " (expected: > 0)");
    }
    if (basePort != null && (basePort < 1024 || basePort > 65535 - DemoPorts.RANGE)) {
      throw new IllegalArgumentException(
          "--base-port: " + basePort + " (expected: 1024 to " + (65535 - DemoPorts.RANGE) + ")");
    }
    if (rps < 1 || rps > 5000) {
      throw new IllegalArgumentException("--rps: " + rps + " (expected: 1 to 5000)");
    }
  }

  /** Parses {@code --duration 30s --json --base-port 18000 --rps 100 --config F --state-dir D}. */
  static DemoOptions parse(String... args) {
    Duration duration = null;
    boolean json = false;
    Integer basePort = null;
    int rps = DEFAULT_RPS;
    Path config = Path.of("samples", "mesh.yaml");
    Path stateDir = Path.of(".inmesh");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--json" -> json = true;
        case "--duration" -> duration = duration(value(args, ++i, a));
        case "--base-port" -> basePort = integer(value(args, ++i, a), a);
        case "--rps" -> rps = integer(value(args, ++i, a), a);
        case "--config" -> config = Path.of(value(args, ++i, a));
        case "--state-dir" -> stateDir = Path.of(value(args, ++i, a));
        default -> throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    return new DemoOptions(duration, json, basePort, rps, config.toAbsolutePath().normalize(),
        stateDir.toAbsolutePath().normalize());
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("--duration: " + text + " (expected: a number and ms, s, m or h: 30s)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + ": missing value");
    }
    return args[i];
  }

  private static int integer(String text, String option) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": " + text + " (expected: an integer)");
    }
  }
}
