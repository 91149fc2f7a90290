package io.inmesh.lb;

import io.inmesh.discovery.Endpoint;
import io.inmesh.internal.Completions;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.resilience.MeshTimeoutException;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The LOAD_BALANCER stage of one snapshot: see {@link LoadBalancing}. Finds a destination's balancer by the identity of
 * the snapshot's service object (a request's destination comes from the same snapshot), so a pick neither builds nor
 * hashes a key string.
 */
final class LoadBalancerStage implements MeshFilter {
  private final LoadBalancing feature;
  private final Map<CompiledService, ServiceBalancer> balancers;
  private final LbEnvironment env;
  private final ScheduledExecutorService scheduler;

  LoadBalancerStage(LoadBalancing feature, Map<CompiledService, ServiceBalancer> balancers, LbEnvironment env,
      ScheduledExecutorService scheduler) {
    this.feature = feature;
    this.balancers = balancers;
    this.env = env;
    this.scheduler = scheduler;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    WeightedDestination destination = ctx.destination();
    if (destination == null) {
      return next.execute(ctx, request); // not routed by the mesh: nothing to balance
    }
    ServiceBalancer balancer = balancers.get(destination.service());
    if (balancer == null) {
      balancer = feature.balancer(destination.service().key()); // a service object of another snapshot
    }
    if (balancer == null) {
      return noEndpoint(ctx, destination, "the service is not in the configuration in force");
    }
    if (!balancer.ready().isDone()) {
      return afterFirstAnswer(ctx, request, next, balancer, destination);
    }
    return send(ctx, request, next, balancer, destination);
  }

  /**
   * Sends once DNS has first answered (or failed) for a service that just appeared, within the request's deadline:
   * a resolver that hangs (the system's retries take seconds) must not hold a request past its timeout, and an answer
   * that comes after the request ended sends nothing.
   */
  private CompletableFuture<MeshResponse> afterFirstAnswer(MeshContext ctx, MeshRequest request, MeshService next,
      ServiceBalancer balancer, WeightedDestination destination) {
    CompletableFuture<MeshResponse> result = new CompletableFuture<>();
    long deadline = ctx.deadlineNanos();
    ScheduledFuture<?> timer = deadline == MeshContext.NO_DEADLINE ? null : scheduler.schedule(
        () -> result.completeExceptionally(new MeshTimeoutException("no DNS answer for "
            + destination.service().key() + " within the request's deadline")),
        Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    balancer.ready().whenComplete((ready, dnsFailure) -> {
      if (timer != null) {
        timer.cancel(false);
      }
      if (result.isDone()) {
        return; // the request ended while it waited
      }
      CompletableFuture<MeshResponse> sent;
      try {
        sent = send(ctx, request, next, balancer, destination);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      sent.whenComplete((response, failure) -> {
        if (failure != null) {
          result.completeExceptionally(Completions.unwrap(failure));
        } else if (!result.complete(response)) {
          response.discard(); // the deadline won the race: nobody reads this response
        }
      });
    });
    return result;
  }

  private CompletableFuture<MeshResponse> send(MeshContext ctx, MeshRequest request, MeshService next,
      ServiceBalancer balancer, WeightedDestination destination) {
    EndpointPicker picker = balancer.picker(destination.subset());
    if (picker.isEmpty()) {
      return noEndpoint(ctx, destination, picker.emptyReason());
    }
    List<Endpoint> tried = ctx.attribute(LoadBalancing.TRIED_ENDPOINTS);
    Endpoint previous = ctx.endpoint();
    if (previous != null) {
      // A later attempt of this request: the endpoint still in the context is the one the last attempt used.
      if (tried == null) {
        tried = new ArrayList<>(2);
        ctx.attribute(LoadBalancing.TRIED_ENDPOINTS, tried);
      }
      tried.add(previous);
    }
    EndpointState state = picker.pick(ctx, request, tried);
    ctx.endpoint(state.endpoint());
    state.started();
    // Only PEAK_EWMA reads latency: the others skip the two clock reads.
    boolean timed = picker.tracksLatency();
    long start = timed ? env.now() : 0;
    CompletableFuture<MeshResponse> result;
    try {
      result = next.execute(ctx, request);
    } catch (RuntimeException | Error e) {
      finished(state, timed, start, false);
      throw e;
    }
    if (result.isDone()) {
      finished(state, timed, start, !result.isCompletedExceptionally());
    } else {
      result.whenComplete((response, failure) -> finished(state, timed, start, failure == null));
    }
    return result;
  }

  private void finished(EndpointState state, boolean timed, long start, boolean success) {
    if (timed) {
      long now = env.now();
      state.finished(now - start, now, success);
    } else {
      state.finished();
    }
  }

  private static CompletableFuture<MeshResponse> noEndpoint(MeshContext ctx, WeightedDestination destination,
      String reason) {
    ctx.addResponseFlag("UH");
    return CompletableFuture.failedFuture(
        new NoHealthyEndpointException(destination.service().key(), destination.subset(), reason));
  }
}
