/**
 * The JMH micro-benchmarks of mesh-core: each class times one part of the request path or of a configuration change,
 * its Javadoc gives its run command, and its set-up checks that it measures what it says. {@code mvn verify} runs
 * every one of them briefly (the module's {@code BenchmarksSmokeTest}) so that they cannot rot.
 */
@NullMarked
package io.inmesh.benchmarks;

import org.jspecify.annotations.NullMarked;
