package io.inmesh;

import io.inmesh.inbound.InboundSecurity;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.traffic.TrafficFeature;
import java.util.List;

/**
 * The features every mesh has, in creation order (closed in reverse). Each feature package adds its factory here;
 * their stages' order comes from their roles, not from this list.
 */
final class BuiltInFeatures {
  static final List<MeshFeature.Factory> FACTORIES = List.of(
      io.inmesh.telemetry.MeshTelemetry::create, // first: other features may report to it (MeshTelemetry.of)
      io.inmesh.tls.MeshTls::create, // the workload identity, before anything that serves or calls with it
      TrafficFeature::new,
      LoadBalancing::create,
      io.inmesh.resilience.Resilience::create, // after LoadBalancing: outlier detection ejects through it
      InboundSecurity::create);

  private BuiltInFeatures() {}
}
