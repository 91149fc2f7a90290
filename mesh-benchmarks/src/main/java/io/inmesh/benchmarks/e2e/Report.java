package io.inmesh.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Medians over runs, differences against the baseline measured in the same run, the goals, and the tables.
 * A difference is computed per run and then the median taken, so that a run on a busier machine shifts both sides.
 */
final class Report {
  private final E2eRun.Mode mode;
  private final List<String> variants;
  private final List<Map<String, JsonNode>> runs;
  private final String baseline;
  private final String primary;

  Report(E2eRun.Mode mode, List<String> variants, List<Map<String, JsonNode>> runs, String baseline, String primary) {
    this.mode = mode;
    this.variants = variants;
    this.runs = runs;
    this.baseline = baseline;
    this.primary = primary;
  }

  /** The JSON: per variant, the primary row's latency, max throughput, CPU and memory (medians). */
  Map<String, Object> summary() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String v : variants) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("maxRps", round(median(v, r -> r.path("max").path("rps").asDouble(Double.NaN)), 0));
      for (String p : List.of("p50Ms", "p90Ms", "p99Ms", "p999Ms")) {
        m.put(p, round(median(v, r -> row(r, primaryKey()).path(p).asDouble(Double.NaN)), 3));
      }
      m.put("cpuSecondsPer1000Requests", round(median(v, r -> cpuPer1000(row(r, primaryKey()), null)), 4));
      m.put("rssMiB", round(median(v, r -> sum(row(r, primaryKey()).path("rssMiB"), null)), 1));
      out.put(v, m);
    }
    return out;
  }

  String markdown(Map<String, Object> meta) {
    StringBuilder sb = new StringBuilder();
    sb.append("## End-to-end benchmark: ").append(mode.name()).append(", ").append(runs.size())
        .append(runs.size() == 1 ? " run" : " runs, medians").append("\n\n");
    meta.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
    sb.append("\n### Latency from the intended send time (ms), and added over `").append(baseline)
        .append("` (µs, median of the per-run differences)\n\n");
    sb.append("| load | variant | p50 | p90 | p99 | p99.9 | +p50 µs | +p90 µs | +p99 µs | +p99.9 µs | requests |"
        + " errors |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String rowKey : rowKeys()) {
      String[] rs = rowKey.split("x");
      String load = rs[0] + " rps, " + (Integer.parseInt(rs[1]) >= 1024 ? Integer.parseInt(rs[1]) / 1024 + " KiB"
          : rs[1] + " B");
      for (String v : variants) {
        sb.append("| ").append(load).append(" | ").append(v);
        for (String p : List.of("p50Ms", "p90Ms", "p99Ms", "p999Ms")) {
          sb.append(" | ").append(fmt(median(v, r -> row(r, rowKey).path(p).asDouble(Double.NaN)), 3));
        }
        for (String p : List.of("p50Ms", "p90Ms", "p99Ms", "p999Ms")) {
          sb.append(" | ").append(v.equals(baseline) ? "" : signed(1000 * added(v, rowKey, p), 0));
        }
        sb.append(" | ").append(fmt(median(v, r -> row(r, rowKey).path("requests").asDouble()), 0));
        sb.append(" | ").append(fmt(sumOverRuns(v, r -> row(r, rowKey).path("errors").asDouble()
            + row(r, rowKey).path("missed").asDouble()), 0)).append(" |\n");
      }
    }
    sb.append("\n### Throughput and cost (CPU and RSS at ").append(label(primaryKey()))
        .append("; CPU of every process of the variant, the load generator's JVM (the client application)"
            + " included)\n\n");
    sb.append("| variant | max rps (closed loop) | × ").append(baseline)
        .append(" | CPU s / 1000 req | of which client JVM | of which server side | of which JIT compiler threads"
            + " | extra vs ").append(baseline).append(" | without JIT | extra vs ").append(baseline)
        .append(" | RSS MiB (all processes) | extra MiB | live heap MiB (after a full GC) | extra MiB |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String v : variants) {
      sb.append("| ").append(v)
          .append(" | ").append(fmt(median(v, r -> r.path("max").path("rps").asDouble(Double.NaN)), 0))
          .append(" | ").append(fmt(ratio(v, r -> r.path("max").path("rps").asDouble(Double.NaN)), 2))
          .append(" | ").append(fmt(median(v, r -> cpuPer1000(row(r, primaryKey()), null)), 4))
          .append(" | ").append(fmt(median(v, r -> cpuPer1000(row(r, primaryKey()), "client")), 4))
          .append(" | ").append(fmt(median(v, r -> cpuPer1000(row(r, primaryKey()), "")), 4))
          .append(" | ").append(fmt(median(v, r -> jitPer1000(row(r, primaryKey()))), 4))
          .append(" | ").append(v.equals(baseline) ? "" : signed(diff(v, r -> cpuPer1000(row(r, primaryKey()),
              null)), 4))
          .append(" | ").append(fmt(median(v, r -> steadyCpuPer1000(row(r, primaryKey()))), 4))
          .append(" | ").append(v.equals(baseline) ? "" : signed(diff(v, r -> steadyCpuPer1000(row(r,
              primaryKey()))), 4))
          .append(" | ").append(fmt(median(v, r -> sum(row(r, primaryKey()).path("rssMiB"), null)), 1))
          .append(" | ").append(v.equals(baseline) ? "" : signed(diff(v, r -> sum(row(r, primaryKey())
              .path("rssMiB"), null)), 1))
          .append(" | ").append(fmt(median(v, r -> sum(r.path("liveHeapMiB"), null)), 1))
          .append(" | ").append(v.equals(baseline) ? "" : signed(diff(v, r -> sum(r.path("liveHeapMiB"), null)), 1))
          .append(" |\n");
    }
    sb.append("\nPer process (RSS MiB at ").append(label(primaryKey())).append(", median): ");
    List<String> parts = new ArrayList<>();
    for (String v : variants) {
      JsonNode rss = row(runs.get(0).get(v), primaryKey()).path("rssMiB");
      List<String> roles = new ArrayList<>();
      rss.fieldNames().forEachRemaining(role -> roles.add(role + " " + fmt(median(v, r -> row(r, primaryKey())
          .path("rssMiB").path(role).asDouble(Double.NaN)), 1)));
      parts.add(v + ": " + String.join(", ", roles));
    }
    sb.append(String.join("; ", parts)).append(".\n");
    sb.append("\nOf which mapped files (RssFile: the JDK's modules image, jars, shared libraries; clean, shared and"
        + " reclaimable pages), all processes, median: ");
    List<String> files = new ArrayList<>();
    for (String v : variants) {
      files.add(v + " " + fmt(median(v, r -> sum(row(r, primaryKey()).path("rssFileMiB"), null)), 1) + " MiB");
    }
    sb.append(String.join(", ", files)).append(".\n");
    if (variants.contains("inmesh") && variants.contains(baseline)) {
      sb.append(goals());
    }
    return sb.toString();
  }

  private String goals() {
    String k = primaryKey();
    double p50 = 1000 * added("inmesh", k, "p50Ms");
    double p99 = 1000 * added("inmesh", k, "p99Ms");
    StringBuilder sb = new StringBuilder("\n### The issue's goals for InMesh (" + label(k) + ", against " + baseline
        + " in the same run)\n\n| goal | measured | met |\n|---|---|---|\n");
    goal(sb, "added p50 ≤ 50 µs", signed(p50, 0) + " µs", p50 <= 50);
    goal(sb, "added p99 ≤ 300 µs", signed(p99, 0) + " µs", p99 <= 300);
    if (variants.contains("sidecar")) {
      double s50 = 1000 * added("sidecar", k, "p50Ms");
      double s99 = 1000 * added("sidecar", k, "p99Ms");
      goal(sb, "added p50 ≤ 1/10 of the sidecar pair's", signed(p50, 0) + " µs vs " + signed(s50, 0) + " µs",
          p50 <= s50 / 10);
      goal(sb, "added p99 ≤ 1/10 of the sidecar pair's", signed(p99, 0) + " µs vs " + signed(s99, 0) + " µs",
          p99 <= s99 / 10);
    }
    ToDoubleFunction<JsonNode> max = r -> r.path("max").path("rps").asDouble(Double.NaN);
    double vsBase = ratio("inmesh", max);
    goal(sb, "max throughput ≥ 0.9 × " + baseline, fmt(vsBase, 2) + " ×", vsBase >= 0.9);
    if (variants.contains("sidecar")) {
      double vsSidecar = median(runs.stream().mapToDouble(r -> max.applyAsDouble(r.get("inmesh"))
          / max.applyAsDouble(r.get("sidecar"))).boxed().toList());
      goal(sb, "max throughput ≥ 2 × sidecar", fmt(vsSidecar, 2) + " ×", vsSidecar >= 2);
    }
    double cpu = diff("inmesh", r -> cpuPer1000(row(r, k), null));
    double steady = diff("inmesh", r -> steadyCpuPer1000(row(r, k)));
    goal(sb, "extra CPU ≤ 0.02 vCPU per 1000 rps (without the JIT compiler threads; all threads)",
        signed(steady, 4) + " vCPU (" + signed(cpu, 4) + ")", steady <= 0.02);
    double rss = diff("inmesh", r -> sum(row(r, k).path("rssMiB"), null));
    double live = diff("inmesh", r -> sum(r.path("liveHeapMiB"), null));
    goal(sb, "extra memory ≤ 15 MiB (RSS with the heap pre-touched, plus live heap)", signed(rss, 1) + " MiB + "
        + signed(live, 1) + " MiB", rss + Math.max(0, live) <= 15);
    return sb.toString();
  }

  private static void goal(StringBuilder sb, String goal, String measured, boolean met) {
    sb.append("| ").append(goal).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
        .append(" |\n");
  }

  // ------------------------------------------------------------------ numbers

  private List<String> rowKeys() {
    List<String> keys = new ArrayList<>();
    for (String r : mode.rows()) {
      String[] f = r.split("x");
      keys.add(f[0] + "x" + f[1]);
    }
    return keys;
  }

  private String primaryKey() {
    return rowKeys().contains(primary) ? primary : rowKeys().get(0);
  }

  private static String label(String key) {
    String[] f = key.split("x");
    return f[0] + " rps × " + f[1] + " B";
  }

  private static JsonNode row(JsonNode result, String key) {
    for (JsonNode r : result.path("rows")) {
      if ((r.path("rate").asInt() + "x" + r.path("size").asInt()).equals(key)) {
        return r;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** CPU seconds per 1000 requests of one role, of all roles (null), or of all but the client (""). */
  private static double cpuPer1000(JsonNode row, @Nullable String role) {
    double requests = row.path("requests").asDouble();
    return requests == 0 ? Double.NaN : sum(row.path("cpuSeconds"), role) / requests * 1000;
  }

  /**
   * CPU seconds per 1000 requests without the JIT compiler threads: the steady state. Compilation is a one-time
   * cost, and a burst of it can land in any row of any variant (both JVMs of raw-mtls compiled for 1.5-2.4 s in the
   * 12 s of a 1000 rps row, a minute into two of three runs), which would otherwise decide a difference of 0.02.
   */
  private static double steadyCpuPer1000(JsonNode row) {
    return cpuPer1000(row, null) - jitPer1000(row);
  }

  /** CPU seconds per 1000 requests of the JVMs' JIT compiler threads (C1, C2): warm-up not yet over. */
  private static double jitPer1000(JsonNode row) {
    double requests = row.path("requests").asDouble();
    double ticks = 0;
    for (JsonNode threads : row.path("threadTicksAndSwitches")) {
      for (var it = threads.fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getKey().contains("CompilerThre")) {
          ticks += e.getValue().asDouble();
        }
      }
    }
    return requests == 0 ? Double.NaN : ticks / Procs.TICKS_PER_SECOND / requests * 1000;
  }

  private static double sum(JsonNode byRole, @Nullable String role) {
    double s = 0;
    for (var it = byRole.fields(); it.hasNext(); ) {
      var e = it.next();
      if (role == null || (role.isEmpty() ? !e.getKey().equals("client") : e.getKey().equals(role))) {
        s += e.getValue().asDouble();
      }
    }
    return s;
  }

  private double median(String variant, ToDoubleFunction<JsonNode> f) {
    return median(runs.stream().mapToDouble(r -> f.applyAsDouble(r.get(variant))).boxed().toList());
  }

  private double sumOverRuns(String variant, ToDoubleFunction<JsonNode> f) {
    return runs.stream().mapToDouble(r -> f.applyAsDouble(r.get(variant))).sum();
  }

  /** Median over runs of (variant - baseline) in the same run. */
  private double diff(String variant, ToDoubleFunction<JsonNode> f) {
    if (!variants.contains(baseline)) {
      return Double.NaN;
    }
    return median(runs.stream().mapToDouble(r -> f.applyAsDouble(r.get(variant)) - f.applyAsDouble(r.get(baseline)))
        .boxed().toList());
  }

  private double ratio(String variant, ToDoubleFunction<JsonNode> f) {
    if (!variants.contains(baseline)) {
      return Double.NaN;
    }
    return median(runs.stream().mapToDouble(r -> f.applyAsDouble(r.get(variant)) / f.applyAsDouble(r.get(baseline)))
        .boxed().toList());
  }

  private double added(String variant, String rowKey, String percentile) {
    return diff(variant, r -> row(r, rowKey).path(percentile).asDouble(Double.NaN));
  }

  static double median(List<Double> values) {
    List<Double> v = values.stream().filter(d -> !d.isNaN()).sorted().toList();
    if (v.isEmpty()) {
      return Double.NaN;
    }
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Double.isNaN(v) ? v : Math.round(v * f) / f;
  }

  private static String fmt(double v, int digits) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,." + digits + "f", v);
  }

  private static String signed(double v, int digits) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+,." + digits + "f", v);
  }
}
