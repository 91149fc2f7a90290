package io.inmesh.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mesh demo --json --duration 10s} as the README runs it, in a JVM of its own (the module's class path; the
 * CLI adds only the launch): the fleet starts from the shared {@code mesh.yaml} with a dev CA created on this first
 * run, the load runs 10 s, and stdout carries one JSON summary that shows the mesh at work.
 */
class DemoIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path state;

  @Test
  void runsTheFleetForTenSecondsAndPrintsOneSummaryShowingTheMeshAtWork() throws Exception {
    int base = freeRange();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        DemoMain.class.getName(),
        "--json", "--duration", "10s", "--base-port", Integer.toString(base),
        "--config", Path.of("mesh.yaml").toAbsolutePath().toString(),
        "--state-dir", state.toString()));
    Path stderr = state.resolve("stderr.txt");
    Process demo = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    String stdout;
    try {
      stdout = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo stops by itself").isTrue();
    } finally {
      demo.destroyForcibly();
    }
    String log = Files.exists(state.resolve("demo.log")) ? Files.readString(state.resolve("demo.log")) : "";
    assertThat(demo.exitValue()).as("exit code; stderr:%n%s%nlog:%n%s", Files.readString(stderr), log).isZero();

    System.out.println("demo summary: " + stdout); // in the failsafe report, for a failure below
    assertThat(stdout.lines().toList()).as("stdout is the summary and nothing else").hasSize(1);
    JsonNode s = JSON.readTree(stdout);
    assertThat(s.get("durationSeconds").asLong()).isEqualTo(10);
    assertThat(s.get("requests").asLong()).isGreaterThan(100);
    assertThat(s.get("successRate").asDouble()).as("20%% of payments-b's answers are 503s, masked by retries")
        .isGreaterThanOrEqualTo(0.99);
    assertThat(s.get("retries").asLong()).as("retries masked the flaky payments instance").isPositive();
    JsonNode split = s.get("split").get("api-service");
    assertThat(split.get("v2").asDouble()).as("v2's share of ordinary traffic (90/10)").isCloseTo(0.10, within(0.04));
    assertThat(split.get("v1").asDouble() + split.get("v2").asDouble()).isCloseTo(1.0, within(0.0002));
    assertThat(s.get("denied").get("untrusted").asLong()).as("impostor refused in the handshake").isPositive();
    assertThat(s.get("denied").get("forbidden").asLong()).as("intruder denied with 403").isPositive();
    assertThat(s.get("mtlsShare").asDouble()).isEqualTo(1.0);
    assertThat(s.get("ejections").asLong()).isNotNegative();

    JsonNode ports = s.get("ports");
    List<Integer> values = new ArrayList<>();
    ports.forEach(p -> values.add(p.asInt()));
    assertThat(ports.has("frontend")).isTrue();
    assertThat(ports.has("api-service-v2")).isTrue();
    assertThat(ports.has("admin-frontend")).isTrue();
    assertThat(values).hasSize(14).allSatisfy(p -> assertThat(p).isBetween(base, base + DemoPorts.RANGE - 1));
    assertThat(new HashSet<>(values)).hasSameSizeAs(values);
    assertThat(state.resolve("demo-ca").resolve("ca.crt")).as("dev CA created on first run").exists();
  }

  /** A base port whose 20 ports are all free on loopback now. */
  private static int freeRange() {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20_000 + 20 * ThreadLocalRandom.current().nextInt(2_000);
      if (allFree(base)) {
        return base;
      }
    }
    throw new IllegalStateException("no free range of " + DemoPorts.RANGE + " ports found");
  }

  private static boolean allFree(int base) {
    for (int port = base; port < base + DemoPorts.RANGE; port++) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
