/**
 * Local rate limits (Envoy {@code local_ratelimit}, Linkerd {@code HTTPLocalRateLimitPolicy}): lock-free token
 * buckets per instance, per route or per client identity, kept across configuration reloads while their policy is
 * unchanged.
 */
@NullMarked
package io.inmesh.ratelimit;

import org.jspecify.annotations.NullMarked;
