package io.inmesh.samples.demo;

import java.util.List;

/**
 * Sums of series in a Prometheus text exposition (what each mesh's {@code /metrics} serves, from
 * {@code MeshTelemetry.scrape()}): the demo reads its figures from the mesh's own metrics, as a dashboard would.
 */
final class Metrics {
  private Metrics() {}

  /**
   * The sum of {@code metric}'s samples whose labels include every {@code key="value"} of {@code labels}
   * ({@code "reporter=\"destination\""}).
   */
  static double sum(String exposition, String metric, List<String> labels) {
    double total = 0;
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(metric)) {
        continue;
      }
      int rest = metric.length();
      if (rest < line.length() && line.charAt(rest) != '{' && line.charAt(rest) != ' ') {
        continue; // a longer name sharing the prefix
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      boolean matches = true;
      for (String l : labels) {
        matches &= series.contains(l);
      }
      if (matches) {
        total += Double.parseDouble(line.substring(space + 1).strip());
      }
    }
    return total;
  }

  static double sum(String exposition, String metric) {
    return sum(exposition, metric, List.of());
  }
}
