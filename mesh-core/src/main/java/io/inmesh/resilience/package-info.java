/**
 * Resilience: deadlines and timeouts, retries with a retry budget and an idempotency guard, connection-pool limits
 * and circuit breakers. The built-in feature {@link io.inmesh.resilience.Resilience} contributes the outbound stages
 * DEADLINE, RETRY, OVERLOAD, CIRCUIT_BREAKER and ATTEMPT_TIMEOUT and the inbound DEADLINE stage; its state (budgets,
 * limits, breakers) is kept across reloads for every piece whose configuration did not change. The remaining
 * deadline of a request travels to the upstream in {@value io.inmesh.resilience.MeshDeadline#HEADER} and is
 * available in-process as {@link io.inmesh.resilience.MeshDeadline#current()}.
 */
@NullMarked
package io.inmesh.resilience;

import org.jspecify.annotations.NullMarked;
