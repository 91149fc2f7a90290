package io.inmesh.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The JMH suite's smoke run, in {@code mvn verify} so that the benchmarks cannot rot: every benchmark of the module
 * (every method and group, with every parameter value but the one narrowed below) runs once, briefly, through
 * JMH's own runner, and so runs its set-up's checks. The scores mean nothing here; that each benchmark produced one
 * does.
 *
 * <p>The run is in this JVM ({@code forks(0)}): no second JVM to start per benchmark, no classpath to hand over from
 * Surefire. So each class's {@code @Fork(jvmArgsAppend)} does not apply, which the small fleet below makes
 * unnecessary. JMH's report goes to {@code target/jmh-smoke.txt}.
 */
class BenchmarksSmokeTest {
  /** The benchmark classes of issue 11, so that an empty benchmark list cannot pass for a full one. */
  static final List<Class<?>> CLASSES = List.of(RouteMatchBenchmark.class, BalancerBenchmark.class,
      ResilienceBenchmark.class, TelemetryBenchmark.class, SnapshotCompileBenchmark.class, HandshakeBenchmark.class,
      AuthorizationBenchmark.class, TokenBucketBenchmark.class);

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void everyBenchmarkPassesItsSetUpChecksAndProducesAScore() throws Exception {
    Set<String> listed = listedBenchmarks();
    assertThat(CLASSES).allSatisfy(c -> assertThat(listed).anyMatch(b -> b.startsWith(c.getName() + ".")));

    Path report = Path.of("target", "jmh-smoke.txt");
    Files.createDirectories(report.getParent());
    Options options = new OptionsBuilder()
        .include("^" + BenchmarksSmokeTest.class.getPackageName().replace(".", "\\.") + "\\.")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .param("services", "100") // SnapshotCompileBenchmark: 10,000 services take seconds to load
        .shouldFailOnError(true) // an exception in a set-up check or a benchmark fails the run
        .output(report.toString())
        .build();

    Collection<RunResult> results = new Runner(options).run();

    assertThat(results).allSatisfy(r -> {
      Result<?> score = r.getPrimaryResult();
      assertThat(score.getScore()).as("%s %s", r.getParams().getBenchmark(), r.getParams().getParamsKeys().stream()
          .map(k -> k + "=" + r.getParams().getParam(k)).collect(Collectors.joining(", ")))
          .isFinite().isPositive();
    });
    Set<String> ran = results.stream().map(r -> r.getParams().getBenchmark())
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(ran).as("benchmarks with a result (JMH report: %s)", report.toAbsolutePath()).isEqualTo(listed);
  }

  /** Every benchmark the annotation processor generated (a group counts once), as JMH names them. */
  private static Set<String> listedBenchmarks() throws IOException {
    try (InputStream in = Objects.requireNonNull(BenchmarksSmokeTest.class.getResourceAsStream(
        BenchmarkList.BENCHMARK_LIST), "no JMH benchmark list on the class path")) {
      return BenchmarkList.readBenchmarkList(in).stream().map(BenchmarkListEntry::getUsername)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
