package io.inmesh.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final E2eRun.Mode MODE = new E2eRun.Mode("test", 0, List.of("1000x1024x1"), 1, 3);

  @Test
  void addedLatencyIsTheMedianOfPerRunDifferencesNotTheDifferenceOfMedians() throws Exception {
    // raw-mtls p50 1, 2, 3 ms; inmesh 1.1, 2.5, 3.05 ms: per-run differences 100, 500, 50 µs, median 100 µs
    // (the difference of the medians would be 500 µs).
    Report report = report(new double[] {1, 2, 3}, new double[] {1.1, 2.5, 3.05});

    String markdown = report.markdown(Map.of());

    assertThat(markdown).contains("| added p50 ≤ 50 µs | +100 µs | **no** |");
  }

  @Test
  void summaryHasExactlyTheIssuesFieldsPerVariantWithMedians() throws Exception {
    Report report = report(new double[] {1, 2, 3}, new double[] {1.1, 2.5, 3.05});

    Map<String, Object> summary = report.summary();

    assertThat(summary).containsOnlyKeys("raw-mtls", "inmesh");
    @SuppressWarnings("unchecked")
    Map<String, Object> inmesh = (Map<String, Object>) summary.get("inmesh");
    assertThat(inmesh).containsOnlyKeys("maxRps", "p50Ms", "p90Ms", "p99Ms", "p999Ms",
        "cpuSecondsPer1000Requests", "rssMiB");
    assertThat(inmesh.get("p50Ms")).isEqualTo(2.5);
    // every process counts: (0.01 s client + 0.03 s app) / 2 requests * 1000
    assertThat(inmesh.get("cpuSecondsPer1000Requests")).isEqualTo(20.0);
    assertThat(inmesh.get("rssMiB")).isEqualTo(150.0);
  }

  @Test
  void procReadsThisProcessAndZeroForOneThatIsGone() {
    long self = ProcessHandle.current().pid();

    assertThat(Procs.rssKib(self)).isPositive();
    assertThat(Procs.cpuTicks(List.of(self))).isNotNegative();
    assertThat(Procs.cpuTicks(Long.MAX_VALUE)).isZero();
    assertThat(Procs.rssKib(Long.MAX_VALUE)).isZero();
  }

  private static Report report(double[] baselineP50, double[] inmeshP50) throws Exception {
    List<Map<String, JsonNode>> runs = new java.util.ArrayList<>();
    for (int r = 0; r < baselineP50.length; r++) {
      Map<String, JsonNode> run = new LinkedHashMap<>();
      run.put("raw-mtls", result(baselineP50[r], 1000));
      run.put("inmesh", result(inmeshP50[r], 950));
      runs.add(run);
    }
    return new Report(MODE, List.of("raw-mtls", "inmesh"), runs, "raw-mtls", "1000x1024");
  }

  private static JsonNode result(double p50, double maxRps) throws Exception {
    return JSON.readTree("""
        {"rows": [{"rate": 1000, "size": 1024, "requests": 2, "errors": 0, "missed": 0,
                   "p50Ms": %s, "p90Ms": 5, "p99Ms": 6, "p999Ms": 7,
                   "cpuSeconds": {"client": 0.01, "app": 0.03}, "rssMiB": {"client": 100, "app": 50}}],
         "max": {"rps": %s}}
        """.formatted(p50, maxRps));
  }
}
