/**
 * etcd as InMesh's shared store: mesh configuration ({@link io.inmesh.etcd.EtcdConfigSource}) and a service registry
 * with leases, over etcd's v3 JSON gateway.
 */
@NullMarked
package io.inmesh.etcd;

import org.jspecify.annotations.NullMarked;
