/**
 * {@code mesh demo}: a small meshed fleet on localhost in one JVM (a load generator, {@code frontend}, three
 * {@code api-service} instances, two {@code payments} instances and two intruders), each workload with its own
 * {@link io.inmesh.Mesh} reading the shared {@code samples/mesh.yaml}, a live console table and a JSON summary.
 */
@NullMarked
package io.inmesh.samples.demo;

import org.jspecify.annotations.NullMarked;
