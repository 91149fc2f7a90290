package io.inmesh.tls;

import io.inmesh.MeshEnvironment;
import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.LoadedConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Callable;

/** Helpers shared by the TLS tests: an environment from YAML, and log capture. */
final class TlsFixtures {
  private TlsFixtures() {}

  static WorkloadIdentity workload(String name, String namespace, Map<String, String> labels) {
    return new WorkloadIdentity(name, namespace, name, labels, null);
  }

  static MeshSnapshot snapshot(String yaml, WorkloadIdentity workload, long version) {
    LoadedConfig loaded = ConfigLoader.create().loadDocuments(List.of(new ConfigDocument("mesh.yaml", yaml)));
    return MeshSnapshot.compile(loaded, workload, version, "test", Instant.now());
  }

  static MeshEnvironment environment(String yaml, WorkloadIdentity workload, ScheduledExecutorService scheduler) {
    return new MeshEnvironment(workload, snapshot(yaml, workload, 1), Clock.systemUTC(), System::nanoTime, null,
        scheduler);
  }

  /** Runs {@code action} with System.err (where slf4j-simple writes) captured; returns what was logged. */
  static <T> Captured<T> captureLog(Callable<T> action) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      T value = action.call();
      return new Captured<>(value, buffer.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  record Captured<T>(T value, String log) {}
}
