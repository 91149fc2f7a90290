/**
 * The end-to-end benchmark ({@code mesh-benchmarks/run-e2e.sh}): the same servlet application reached by raw OkHttp
 * (plaintext and mTLS), through InMesh on both sides, and through a pair of nginx sidecars; an open-loop load
 * generator and a closed-loop maximum-throughput run, each variant in processes of its own.
 */
@NullMarked
package io.inmesh.benchmarks.e2e;

import org.jspecify.annotations.NullMarked;
