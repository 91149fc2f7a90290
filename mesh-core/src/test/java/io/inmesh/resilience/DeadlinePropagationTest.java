package io.inmesh.resilience;

import static io.inmesh.resilience.ResilienceFixtures.mesh;
import static io.inmesh.resilience.ResilienceFixtures.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deadline propagation across three meshes in one JVM (frontend -> orders -> stock), connected by in-process
 * transports that copy the request headers as a real client and server would.
 */
class DeadlinePropagationTest {
  private static final String CONFIG = """
      mesh: {defaults: {mtlsMode: DISABLE}}
      admin: {enabled: false}
      services:
        - name: orders
          ports: [{number: 80}]
          endpoints: [{address: 10.0.0.2}]
          routes:
            - timeout: 2s
        - name: stock
          ports: [{number: 80}]
          endpoints: [{address: 10.0.0.3}]
          routes:
            - retries: {attempts: 1}
        - name: slow-stock
          ports: [{number: 80}]
          endpoints: [{address: 10.0.0.4}]
          routes:
            - timeout: 50ms
      """;

  @TempDir Path dir;

  /** The transport from one mesh to another's inbound pipeline: the wire copy of method, target and headers. */
  private static MeshService wire(Mesh server, MeshService application) {
    return (ctx, request) -> {
      MeshRequest received = MeshRequest.builder().method(request.method()).authority(request.authority())
          .path(request.path()).headers(MeshHeaders.builder().addAll(request.headers()).build()).build();
      return server.inbound(received, application);
    };
  }

  private static MeshRequest get(String host) {
    return MeshRequest.builder().authority(host).path("/").build();
  }

  @Test
  void theRemainingDeadlineShrinksHopByHopAndIsInheritedInProcess() throws Exception {
    AtomicLong ordersSaw = new AtomicLong(-1);
    AtomicLong ordersInProcess = new AtomicLong(-1);
    AtomicLong stockSaw = new AtomicLong(-1);
    AtomicLong stockInProcess = new AtomicLong(-1);
    try (Mesh frontend = mesh(dir, "frontend", CONFIG);
        Mesh orders = mesh(dir, "orders", CONFIG);
        Mesh stock = mesh(dir, "stock", CONFIG)) {
      MeshService stockApp = (ctx, request) -> {
        stockSaw.set(Long.parseLong(request.headers().get(MeshDeadline.HEADER)));
        stockInProcess.set(MeshDeadline.current().remaining(TimeUnit.MILLISECONDS));
        return CompletableFuture.completedFuture(upstream(200));
      };
      MeshService ordersApp = (ctx, request) -> {
        ordersSaw.set(Long.parseLong(request.headers().get(MeshDeadline.HEADER)));
        ordersInProcess.set(MeshDeadline.current().remaining(TimeUnit.MILLISECONDS));
        busy(Duration.ofMillis(30)); // the orders service works a while before it calls stock
        // No deadline passed by the application: the outbound call inherits the one being served.
        return orders.outbound(get("stock"), wire(stock, stockApp));
      };

      MeshResponse response = frontend.outbound(get("orders"), wire(orders, ordersApp)).get(5, TimeUnit.SECONDS);

      assertThat(response.status()).isEqualTo(200);
    }
    assertThat(ordersSaw.get()).isBetween(1500L, 2000L);
    assertThat(ordersInProcess.get()).isBetween(1L, ordersSaw.get());
    // stock's route has no timeout: only the inherited deadline bounds it, and it is smaller by the time spent.
    assertThat(stockSaw.get()).isBetween(1L, ordersSaw.get() - 30);
    assertThat(stockInProcess.get()).isBetween(1L, stockSaw.get());
    assertThat(MeshDeadline.current()).isNull(); // restored after serving
  }

  @Test
  void theEarlierOfTheRouteTimeoutAndTheInheritedDeadlineWins() throws Exception {
    AtomicLong saw = new AtomicLong();
    try (Mesh orders = mesh(dir, "orders", CONFIG)) {
      MeshService upstream = (ctx, request) -> {
        saw.set(Long.parseLong(request.headers().get(MeshDeadline.HEADER)));
        return CompletableFuture.completedFuture(upstream(200));
      };
      try (MeshDeadline.Scope ignored = MeshDeadline.after(Duration.ofSeconds(10)).makeCurrent()) {
        orders.outbound(get("slow-stock"), upstream).get(5, TimeUnit.SECONDS);
      }
      assertThat(saw.get()).isBetween(1L, 50L);
      try (MeshDeadline.Scope ignored = MeshDeadline.after(Duration.ofMillis(500)).makeCurrent()) {
        orders.outbound(get("stock"), upstream).get(5, TimeUnit.SECONDS);
      }
      assertThat(saw.get()).isBetween(1L, 500L);
    }
  }

  @Test
  void anExpiredDeadlineIsAnswered504WithoutCallingTheApplication() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    MeshService app = (ctx, request) -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(upstream(200));
    };
    try (Mesh orders = mesh(dir, "orders", CONFIG)) {
      for (String spent : new String[] {"0", "-20"}) {
        MeshRequest request = MeshRequest.builder().authority("orders")
            .headers(MeshHeaders.of(Map.of(MeshDeadline.HEADER, spent))).build();
        MeshResponse response = orders.inbound(request, app).get(5, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(504);
        assertThat(response.isSynthesized()).isTrue();
      }
      // A malformed value is ignored: served, without a deadline.
      MeshRequest malformed = MeshRequest.builder().authority("orders")
          .headers(MeshHeaders.of(Map.of(MeshDeadline.HEADER, "soon"))).build();
      assertThat(orders.inbound(malformed, app).get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(orders.feature(Resilience.class).stats().deadlineRejections()).isEqualTo(2);
    }
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void anOutboundCallUnderASpentInheritedDeadlineFailsWithoutBeingSent() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    MeshService upstream = (ctx, request) -> {
      sent.incrementAndGet();
      return CompletableFuture.completedFuture(upstream(200));
    };
    try (Mesh orders = mesh(dir, "orders", CONFIG)) {
      MeshDeadline spent = MeshDeadline.atNanos(System.nanoTime() - 1);
      assertThat(spent.expired()).isTrue();
      try (MeshDeadline.Scope ignored = spent.makeCurrent()) {
        CompletableFuture<MeshResponse> result = orders.outbound(get("stock"), upstream);
        assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(MeshTimeoutException.class);
      }
    }
    assertThat(sent.get()).isZero();
  }

  @Test
  void wrapCarriesTheDeadlineToAnotherThread() throws Exception {
    MeshDeadline deadline = MeshDeadline.after(Duration.ofSeconds(3));
    AtomicLong seen = new AtomicLong(-1);
    Thread t = new Thread(deadline.wrap(() -> seen.set(MeshDeadline.current().nanoTime())));
    t.start();
    t.join(5000);
    assertThat(seen.get()).isEqualTo(deadline.nanoTime());
  }

  /** Spends {@code d} of CPU time: the work a service does between receiving a request and calling onward. */
  private static void busy(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }
}
