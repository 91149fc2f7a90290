package io.inmesh.config;

import io.inmesh.config.internal.Default;

/**
 * The admin endpoint (metrics, health, stats, config dump, tap).
 *
 * @param enabled whether the mesh starts the admin server
 * @param port the TCP port; 0 picks a free one
 * @param bindAddress the address to bind; loopback unless the operator opens it deliberately
 */
public record AdminConfig(
    @Default("true") boolean enabled,
    @Default("9901") int port,
    @Default("127.0.0.1") String bindAddress) {}
