package io.inmesh.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.inmesh.MeshEnvironment;
import io.inmesh.MeshSnapshot;
import io.inmesh.discovery.DnsResolver;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.resilience.MeshTimeoutException;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A request to a DNS-discovered service that has no first answer yet waits for it only until its deadline. */
class FirstDnsAnswerDeadlineTest {
  private final CountDownLatch dnsAnswers = new CountDownLatch(1);
  /** A resolver that hangs until the test lets it answer (as a resolver retrying an unreachable server does). */
  private final DnsResolver hanging = hostname -> {
    try {
      dnsAnswers.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.of(InetAddress.getByName("127.0.0.1"));
  };
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final MeshSnapshot snapshot = LbFixtures.snapshot("""
      services:
        - name: api
          ports: [{number: 8080}]
          discovery: {type: DNS, hostname: api.slow.example}
      """);
  private final LoadBalancing lb = new LoadBalancing(new MeshEnvironment(snapshot.workload(), snapshot,
      Clock.systemUTC(), System::nanoTime, null, scheduler), hanging);

  @AfterEach
  void close() {
    dnsAnswers.countDown();
    lb.close();
    scheduler.shutdownNow();
  }

  @Test
  void endsAtTheDeadlineAndALateAnswerSendsNothing() throws Exception {
    lb.onSnapshot(snapshot);
    MeshFilter stage = lb.stages().get(0).factory().create(snapshot);
    CompiledService api = snapshot.services().resolve("api");
    MeshContext ctx = LbFixtures.context(snapshot).destination(new WeightedDestination(api, null, null, 100, null));
    ctx.deadlineNanos(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
    AtomicInteger sent = new AtomicInteger();
    long start = System.nanoTime();

    CompletableFuture<MeshResponse> result = stage.filter(ctx,
        MeshRequest.builder().method("GET").authority("api").target("/").build(), (c, r) -> {
          sent.incrementAndGet();
          return CompletableFuture.completedFuture(MeshResponse.synthesized(200));
        });

    assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(MeshTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(3));

    dnsAnswers.countDown();
    lb.balancer(api.key()).ready().get(5, TimeUnit.SECONDS);
    // The late answer's continuation runs on the DNS thread as the balancer becomes ready: it must not send.
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> sent.get() == 0);
  }
}
