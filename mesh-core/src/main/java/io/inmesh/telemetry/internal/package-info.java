/** Telemetry internals: metric registry and exposition, stats windows, tap, access log, tracing, stage filters. */
@NullMarked
package io.inmesh.telemetry.internal;

import org.jspecify.annotations.NullMarked;
