package io.inmesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.config.ConfigDocument;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshFeatureTest {
  @TempDir Path dir;

  /** Records its lifecycle into a shared journal. */
  static final class JournalFeature implements MeshFeature {
    final String name;
    final List<String> journal;
    final MeshEnvironment env;

    JournalFeature(String name, List<String> journal, MeshEnvironment env) {
      this.name = name;
      this.journal = journal;
      this.env = env;
      journal.add(name + " created for " + env.workload().name());
    }

    @Override
    public List<MeshStage> stages() {
      return List.of(new MeshStage(name + "-stage", StagePosition.before(OutboundRole.RETRY), snapshot -> {
        journal.add(name + " stage built for v" + snapshot.version());
        return (ctx, req, next) -> next.execute(ctx, req);
      }));
    }

    @Override
    public void onSnapshot(MeshSnapshot snapshot) {
      if (snapshot.config().services().stream().anyMatch(s -> s.name().equals("poison"))) {
        throw new IllegalArgumentException(name + " refuses poison");
      }
      journal.add(name + " saw v" + snapshot.version());
    }

    @Override
    public void close() {
      journal.add(name + " closed");
    }
  }

  private Mesh.Builder builder(List<String> journal) throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), "services: [{name: api, endpoints: [{address: 10.0.0.1}]}]\n");
    return Mesh.builder().workload("client").config(file).watch(false).loadStageProviders(false)
        .addFeature(env -> new JournalFeature("a", journal, env))
        .addFeature(env -> new JournalFeature("b", journal, env));
  }

  @Test
  void createsFeaturesOnceTellsThemEverySnapshotAndClosesThemInReverseOrder() throws Exception {
    List<String> journal = new ArrayList<>();
    Mesh mesh = builder(journal).build();
    mesh.apply(List.of(new ConfigDocument("v2.yaml", "services: [{name: api, endpoints: [{address: 10.0.0.2}]}]\n")));
    mesh.close();

    assertThat(journal).containsExactly(
        "a created for client", "b created for client",
        "a saw v1", "b saw v1", "a stage built for v1", "b stage built for v1",
        "a saw v2", "b saw v2", "a stage built for v2", "b stage built for v2",
        "b closed", "a closed");
  }

  @Test
  void rejectsASnapshotAFeatureRefusesAndKeepsThePreviousOne() throws Exception {
    List<String> journal = new ArrayList<>();
    try (Mesh mesh = builder(journal).build()) {
      boolean applied = mesh.apply(List.of(new ConfigDocument("v2.yaml",
          "services: [{name: api, endpoints: [{address: 10.0.0.2}]}, {name: poison, endpoints: [{address: 10.0.0.3}]}]\n")));

      assertThat(applied).isFalse();
      assertThat(mesh.snapshot().version()).isEqualTo(1);
      assertThat(mesh.configStatus().lastRejection().problems().get(0).message()).contains("a refuses poison");
      mesh.outbound(io.inmesh.pipeline.MeshRequest.builder().authority("api").build(),
          (ctx, req) -> CompletableFuture.completedFuture(MeshResponse.synthesized(204))).join();
    }
  }

  @Test
  void findsAFeatureByTypeAndSharesTheMeshScheduler() throws Exception {
    List<String> journal = new ArrayList<>();
    Mesh mesh = builder(journal).build();
    JournalFeature feature = mesh.feature(JournalFeature.class);
    ScheduledExecutorService scheduler = mesh.scheduler();

    assertThat(feature).isNotNull();
    assertThat(feature.name).isEqualTo("a");
    assertThat(feature.env.scheduler()).isSameAs(scheduler);
    assertThat(mesh.feature(String.class)).isNull();

    mesh.close();
    assertThat(scheduler.isShutdown()).isTrue();
  }

  @Test
  void closesFeaturesAlreadyCreatedWhenStartUpFails() throws Exception {
    List<String> journal = new ArrayList<>();
    Mesh.Builder b = builder(journal).addFeature(env -> {
      throw new IllegalStateException("third feature cannot start");
    });

    assertThatThrownBy(b::build).hasMessage("third feature cannot start");
    assertThat(journal).containsExactly("a created for client", "b created for client", "b closed", "a closed");
  }
}
