/**
 * The admin endpoint: an HTTP server on the JDK's {@code com.sun.net.httpserver} (no dependency), started by the
 * telemetry feature on {@code admin.port} (default 9901) bound to {@code admin.bindAddress} (default loopback). It
 * shows what {@link io.inmesh.admin.AdminSource} provides: Prometheus metrics, health, stats, edges, config, tap.
 */
@NullMarked
package io.inmesh.admin;

import org.jspecify.annotations.NullMarked;
