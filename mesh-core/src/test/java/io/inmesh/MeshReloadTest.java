package io.inmesh;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshReloadTest {
  static final Duration WAIT = Duration.ofSeconds(15);

  static String config(String routeName, int port) {
    return """
        services:
          - name: api
            endpoints: [{address: 127.0.0.1, port: %d}]
            routes:
              - name: %s
        """.formatted(port, routeName);
  }

  static final String INVALID = """
      services:
        - name: api
          endpoints: [{address: 127.0.0.1, port: 8081}]
          routes:
            - name: broken
              timeout: 5
              retries: {attempts: -1}
      """;

  @TempDir Path dir;

  private Mesh start(Path... paths) {
    return Mesh.builder().workload("client").config(paths).loadStageProviders(false).build();
  }

  private static String routeName(Mesh m) {
    return m.snapshot().services().resolve("api").routes().routes().get(0).name();
  }

  @Test
  void appliesAValidChangeWrittenInPlace() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), config("one", 8081));
    try (Mesh m = start(file)) {
      Files.writeString(file, config("two", 8081));

      await().atMost(WAIT).until(() -> m.snapshot().version() == 2);
      assertThat(routeName(m)).isEqualTo("two");
      assertThat(m.configStatus().appliedCount()).isEqualTo(2);
      assertThat(m.configStatus().contentHash()).isEqualTo(m.snapshot().contentHash());
    }
  }

  @Test
  void appliesAnEditorStyleSaveThatRenamesATemporaryFileOverTheOriginal() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), config("one", 8081));
    try (Mesh m = start(file)) {
      Path temp = Files.writeString(dir.resolve(".mesh.yaml.swp"), config("two", 8081));
      Files.move(temp, file, ATOMIC_MOVE, REPLACE_EXISTING);

      await().atMost(WAIT).until(() -> m.snapshot().version() == 2);
      assertThat(routeName(m)).isEqualTo("two");
    }
  }

  @Test
  void keepsLastGoodSnapshotWhenReloadIsInvalid() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), config("one", 8081));
    List<ConfigStatus.ConfigRejection> rejections = new CopyOnWriteArrayList<>();
    try (Mesh m = start(file)) {
      m.addConfigListener(new ConfigListener() {
        @Override
        public void onRejected(ConfigStatus.ConfigRejection rejection, MeshSnapshot current) {
          rejections.add(rejection);
        }
      });
      MeshSnapshot good = m.snapshot();

      Files.writeString(file, INVALID);

      await().atMost(WAIT).until(() -> rejections.size() == 1); // listeners are told after the status is updated
      assertThat(m.configStatus().rejectedCount()).isEqualTo(1);
      assertThat(m.snapshot()).isSameAs(good);
      assertThat(routeName(m)).isEqualTo("one");
      ConfigStatus.ConfigRejection last = m.configStatus().lastRejection();
      assertThat(last.problems()).extracting(ConfigProblem::toString).containsExactly(
          file + ":6:18: services[0].routes[0].timeout: '5' is not a duration: missing unit"
              + " (expected: a duration such as 250ms, 5s, 1m or 1h30m)",
          file + ":7:29: services[0].routes[0].retries.attempts: -1 (expected: >= 0 and <= 100)");
      assertThat(rejections).hasSize(1);

      Files.writeString(file, config("two", 8081));
      await().atMost(WAIT).until(() -> m.snapshot().version() == 2);
      assertThat(routeName(m)).isEqualTo("two");
    }
  }

  @Test
  void treatsIdenticalContentAsNoChange() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), config("one", 8081));
    List<Long> applied = new CopyOnWriteArrayList<>();
    try (Mesh m = start(file)) {
      m.addConfigListener(new ConfigListener() {
        @Override
        public void onApplied(MeshSnapshot previous, MeshSnapshot current) {
          applied.add(current.version());
        }
      });
      // Same bytes, new modification time: the watcher delivers it, the mesh must ignore it.
      Files.writeString(file, config("one", 8081));
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      assertThat(m.apply(io.inmesh.config.ConfigLoader.create().read(List.of(file)))).isFalse();

      Files.writeString(file, config("two", 8081));
      // Listeners are told after the swap: wait for the event, then check nothing else was applied.
      await().atMost(WAIT).until(() -> !applied.isEmpty());

      assertThat(applied).containsExactly(2L);
      assertThat(m.snapshot().version()).isEqualTo(2);
      assertThat(m.configStatus().rejectedCount()).isZero();
    }
  }

  @Test
  void doesNotRejectTheSameInvalidContentTwice() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), config("one", 8081));
    try (Mesh m = start(file)) {
      Files.writeString(file, INVALID);
      await().atMost(WAIT).until(() -> m.configStatus().rejectedCount() == 1);

      Files.writeString(file, INVALID);
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      Files.writeString(file, config("two", 8081));
      await().atMost(WAIT).until(() -> m.snapshot().version() == 2);

      assertThat(m.configStatus().rejectedCount()).isEqualTo(1);
    }
  }

  @Test
  void mergesAFileAddedToAWatchedDirectory() throws Exception {
    Files.writeString(dir.resolve("10-api.yaml"), config("one", 8081));
    try (Mesh m = start(dir)) {
      assertThat(m.snapshot().services().resolve("payments")).isNull();

      Files.writeString(dir.resolve("20-payments.yaml"), """
          services:
            - name: payments
              endpoints: [{address: 127.0.0.1, port: 9000}]
          """);

      await().atMost(WAIT).until(() -> m.snapshot().services().resolve("payments") != null);
      assertThat(m.snapshot().services().resolve("api")).isNotNull();
      assertThat(m.snapshot().source()).isEqualTo("file:" + dir.toAbsolutePath().normalize());
    }
  }

  @Test
  void keepsLastGoodSnapshotWhenTheFileDisappearsAndAppliesItWhenItReturns() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), config("one", 8081));
    try (Mesh m = start(file)) {
      Files.delete(file);
      await().atMost(WAIT).until(() -> m.configStatus().rejectedCount() == 1);
      assertThat(m.configStatus().lastRejection().problems().get(0).message()).isEqualTo("no such file or directory");
      assertThat(m.snapshot().version()).isEqualTo(1);

      Files.writeString(file, config("two", 8081));
      await().atMost(WAIT).until(() -> m.snapshot().version() == 2);
    }
  }

  @Test
  void failsStartUpWithEveryErrorOfAnInvalidFirstConfig() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), INVALID);

    assertThatThrownBy(() -> start(file))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).hasSize(2))
        .hasMessageContaining("timeout")
        .hasMessageContaining("attempts");
  }

  @Test
  void stopsItsWatcherThreadOnClose() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), config("one", 8081));
    Mesh m = start(file);
    assertThat(watcherThreads()).isNotEmpty();

    m.close();

    assertThat(watcherThreads()).isEmpty();
    Files.writeString(file, config("two", 8081));
    assertThat(m.apply(io.inmesh.config.ConfigLoader.create().read(List.of(file)))).isFalse();
  }

  private static List<Thread> watcherThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("inmesh-config-watch") && t.isAlive())
        .toList();
  }
}
