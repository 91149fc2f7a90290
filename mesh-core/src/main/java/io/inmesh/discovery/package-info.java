/**
 * Service discovery: where a service's endpoints come from. {@link io.inmesh.discovery.ServiceDiscovery} keeps each
 * service's endpoint set (immutable, replaced whole) from its configured source: the static {@code endpoints} list,
 * DNS (A/AAAA records resolved off the request path through an injectable {@link io.inmesh.discovery.DnsResolver},
 * the last good set kept when a resolution fails), or a registry {@link io.inmesh.discovery.DiscoveryProvider} (SPI,
 * found through {@link java.util.ServiceLoader} or registered at run time; {@link
 * io.inmesh.discovery.InMemoryDiscoveryProvider} is one held in memory). The load balancer ({@code io.inmesh.lb})
 * consumes the sets.
 */
@NullMarked
package io.inmesh.discovery;

import org.jspecify.annotations.NullMarked;
