/**
 * Telemetry: OpenTelemetry traces, Istio-compatible Prometheus metrics, the JSON access log, the sliding-window
 * statistics, the edges and the live tap the admin server shows. {@link io.inmesh.telemetry.MeshTelemetry} is the
 * built-in feature; its TELEMETRY stages sit outermost in both pipelines, so they see the logical request once, with
 * its final outcome after retries (outbound) and with rejections counted (inbound). A per-attempt span stage sits just
 * after RETRY. Nothing on the request path takes a lock: counters are {@link java.util.concurrent.atomic.LongAdder}s,
 * series live in concurrent maps, the tap queues are bounded and lock-free and drop (and count) when a reader is slow.
 */
@NullMarked
package io.inmesh.telemetry;

import org.jspecify.annotations.NullMarked;
