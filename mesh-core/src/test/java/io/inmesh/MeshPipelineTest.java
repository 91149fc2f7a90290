package io.inmesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.config.ConfigDocument;
import io.inmesh.pipeline.InboundRole;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshPipelineTest {
  static final String CONFIG_V1 = """
      services:
        - name: api
          endpoints: [{address: 127.0.0.1, port: 8081}]
          routes:
            - name: first
              route: [{destination: {host: api}}]
      """;
  static final String CONFIG_V2 = CONFIG_V1.replace("name: first", "name: second");

  @TempDir Path dir;

  private Mesh.Builder mesh(String yaml) throws Exception {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, yaml);
    return Mesh.builder().workload("client").config(file).watch(false).loadStageProviders(false);
  }

  private static MeshFilter recording(List<String> log, String name) {
    return (ctx, req, next) -> {
      log.add(name);
      return next.execute(ctx, req);
    };
  }

  private static final MeshService OK = (ctx, req) -> CompletableFuture.completedFuture(MeshResponse.synthesized(200));

  private static MeshRequest get(String host) {
    return MeshRequest.builder().authority(host).target("/x").build();
  }

  @Test
  void runsStagesInRoleOrderWhateverTheRegistrationOrder() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    try (Mesh m = mesh(CONFIG_V1)
        .addStage(MeshStage.of("after-attempt-timeout", StagePosition.after(OutboundRole.ATTEMPT_TIMEOUT),
            recording(log, "after-attempt-timeout")))
        .addStage(MeshStage.of("before-retry", StagePosition.before(OutboundRole.RETRY),
            recording(log, "before-retry")))
        .addStage(MeshStage.of("before-telemetry", StagePosition.before(OutboundRole.TELEMETRY),
            recording(log, "before-telemetry")))
        .addStage(MeshStage.of("after-routing", StagePosition.after(OutboundRole.ROUTING),
            recording(log, "after-routing")))
        .addStage(MeshStage.of("before-routing", StagePosition.before(OutboundRole.ROUTING),
            recording(log, "before-routing")))
        .addStage(MeshStage.of("before-retry-2", StagePosition.before(OutboundRole.RETRY),
            recording(log, "before-retry-2")))
        .build()) {
      m.outbound(get("api"), (ctx, req) -> {
        log.add("transport");
        return OK.execute(ctx, req);
      }).join();

      assertThat(log).containsExactly("before-telemetry", "before-routing", "after-routing", "before-retry",
          "before-retry-2", "after-attempt-timeout", "transport");
      // Built-in features add their own stages in between; the application's stages keep their roles' order.
      assertThat(m.state().outbound().stageNames()).containsSubsequence("before-telemetry", "telemetry",
          "before-routing", "routing", "after-routing", "before-retry", "before-retry-2", "retry",
          "attempt-timeout", "after-attempt-timeout");
    }
  }

  @Test
  void keepsOutboundAndInboundStagesInTheirOwnPipelines() throws Exception {
    List<String> log = new ArrayList<>();
    try (Mesh m = mesh(CONFIG_V1)
        .addStage(MeshStage.of("authz-probe", StagePosition.after(InboundRole.AUTHORIZATION),
            recording(log, "authz-probe")))
        .addStage(MeshStage.of("identity-probe", StagePosition.before(InboundRole.PEER_IDENTITY),
            recording(log, "identity-probe")))
        .build()) {
      m.inbound(get("client"), (ctx, req) -> {
        log.add("application");
        return OK.execute(ctx, req);
      }).join();

      assertThat(log).containsExactly("identity-probe", "authz-probe", "application");
      assertThat(m.state().outbound().stageNames()).doesNotContain("identity-probe", "authz-probe");
    }
  }

  @Test
  void composesEachPipelineOncePerSnapshotNotPerRequest() throws Exception {
    AtomicInteger factoryCalls = new AtomicInteger();
    List<Long> versionsSeenByFilters = Collections.synchronizedList(new ArrayList<>());
    MeshStage counting = new MeshStage("counting", StagePosition.before(OutboundRole.RETRY), snapshot -> {
      factoryCalls.incrementAndGet();
      long version = snapshot.version();
      return (ctx, req, next) -> {
        versionsSeenByFilters.add(version);
        return next.execute(ctx, req);
      };
    });
    try (Mesh m = mesh(CONFIG_V1).addStage(counting).build()) {
      for (int i = 0; i < 100; i++) {
        m.outbound(get("api"), OK).join();
      }
      assertThat(factoryCalls).hasValue(1);

      assertThat(m.apply(List.of(new ConfigDocument("v2.yaml", CONFIG_V2)))).isTrue();
      for (int i = 0; i < 100; i++) {
        m.outbound(get("api"), OK).join();
      }
      assertThat(factoryCalls).hasValue(2);
      assertThat(versionsSeenByFilters.subList(0, 100)).containsOnly(1L);
      assertThat(versionsSeenByFilters.subList(100, 200)).containsOnly(2L);
    }
  }

  @Test
  void leavesOutAStageWhoseFactoryReturnsNullForTheSnapshot() throws Exception {
    MeshStage onlyWithTelemetryOff = new MeshStage("conditional", StagePosition.after(OutboundRole.ROUTING),
        snapshot -> snapshot.config().telemetry().tracing().enabled() ? null : (ctx, req, next) ->
            next.execute(ctx, req));
    try (Mesh m = mesh(CONFIG_V1).addStage(onlyWithTelemetryOff).build()) {
      assertThat(m.state().outbound().stageNames()).contains("routing").doesNotContain("conditional");
      m.apply(List.of(new ConfigDocument("v2.yaml", CONFIG_V1 + "telemetry: {tracing: {enabled: false}}\n")));
      assertThat(m.state().outbound().stageNames()).containsSubsequence("routing", "conditional");
    }
  }

  @Test
  void finishesARequestInFlightOnTheSnapshotItStartedWith() throws Exception {
    try (Mesh m = mesh(CONFIG_V1).build()) {
      CompletableFuture<MeshResponse> upstream = new CompletableFuture<>();
      List<String> completions = Collections.synchronizedList(new ArrayList<>());
      MeshService slowTransport = (ctx, req) -> upstream.thenApply(r -> {
        completions.add(ctx.route().name() + "@v" + ctx.snapshot().version());
        return r;
      });
      CompletableFuture<MeshResponse> inFlight = m.outbound(get("api"), slowTransport);

      m.apply(List.of(new ConfigDocument("v2.yaml", CONFIG_V2)));
      CompletableFuture<MeshResponse> after = m.outbound(get("api"), slowTransport);
      upstream.complete(MeshResponse.synthesized(200));

      assertThat(inFlight.join().status()).isEqualTo(200);
      assertThat(after.join().status()).isEqualTo(200);
      assertThat(completions).containsExactlyInAnyOrder("first@v1", "second@v2");
    }
  }

  @Test
  void sendsARequestForAHostOutsideTheMeshUntouchedUnderAllowAny() throws Exception {
    List<String> seen = new ArrayList<>();
    try (Mesh m = mesh(CONFIG_V1)
        .addStage(MeshStage.of("after-routing", StagePosition.after(OutboundRole.ROUTING),
            recording(seen, "after-routing")))
        .build()) {
      MeshResponse response = m.outbound(get("example.com:443"), (ctx, req) -> {
        seen.add("transport: service=" + ctx.service() + " route=" + ctx.route() + " host=" + req.authority());
        return OK.execute(ctx, req);
      }).join();

      assertThat(response.status()).isEqualTo(200);
      assertThat(seen).containsExactly("transport: service=null route=null host=example.com:443");
    }
  }

  @Test
  void refusesAnApplicationStageThatClaimsABuiltInRole() throws Exception {
    MeshStage claim = MeshStage.of("my-router", StagePosition.at(OutboundRole.ROUTING), (c, r, n) -> n.execute(c, r));
    assertThatThrownBy(() -> mesh(CONFIG_V1).addStage(claim))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("my-router")
        .hasMessageContaining("BEFORE or AFTER");
  }

  @Test
  void refusesTwoStagesWithTheSameName() throws Exception {
    MeshFilter pass = (c, r, n) -> n.execute(c, r);
    Mesh.Builder b = mesh(CONFIG_V1)
        .addStage(MeshStage.of("dup", StagePosition.before(OutboundRole.RETRY), pass))
        .addStage(MeshStage.of("dup", StagePosition.after(OutboundRole.RETRY), pass));
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'dup'");
  }

  @Test
  void addsStagesFromServiceLoaderProvidersUnlessDisabled() throws Exception {
    try (Mesh withProviders = mesh(CONFIG_V1).loadStageProviders(true).build();
        Mesh without = mesh(CONFIG_V1).loadStageProviders(false).build()) {
      assertThat(withProviders.state().outbound().stageNames())
          .containsSubsequence("routing", "test-provider-header");
      assertThat(without.state().outbound().stageNames()).contains("routing").doesNotContain("test-provider-header");

      List<String> seen = new ArrayList<>();
      withProviders.outbound(get("api"), (ctx, req) -> {
        seen.add(ctx.attribute(TestStageProvider.MARK));
        return OK.execute(ctx, req);
      }).join();
      assertThat(seen).containsExactly("marked by provider");
    }
  }

  @Test
  void keepsThePreviousStateWhenAStageFactoryFailsOnANewSnapshot() throws Exception {
    MeshStage fragile = new MeshStage("fragile", StagePosition.after(OutboundRole.ROUTING), snapshot -> {
      if (snapshot.version() > 1) {
        throw new IllegalStateException("cannot handle v" + snapshot.version());
      }
      return null;
    });
    try (Mesh m = mesh(CONFIG_V1).addStage(fragile).build()) {
      assertThat(m.apply(List.of(new ConfigDocument("v2.yaml", CONFIG_V2)))).isFalse();
      assertThat(m.snapshot().version()).isEqualTo(1);
      assertThat(m.configStatus().rejectedCount()).isEqualTo(1);
      assertThat(m.configStatus().lastRejection().problems().get(0).message()).contains("cannot handle v2");
    }
  }
}
