package io.inmesh.lb;

import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;

/**
 * A load-balancing algorithm over one fixed, non-empty array of endpoints (gRPC's {@code SubchannelPicker}): built
 * once per endpoint set, health state and policy, immutable apart from the counters it owns, and safe for concurrent
 * picks. A pick always returns one of the endpoints the picker was built over, never null. Health, locality, panic
 * mode, slow start and retry avoidance are applied around pickers by {@link EndpointPicker}.
 */
@FunctionalInterface
interface Picker {
  EndpointState pick(MeshContext ctx, MeshRequest request);
}
