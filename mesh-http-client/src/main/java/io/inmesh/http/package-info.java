/**
 * Meshed HTTP clients: {@link io.inmesh.http.MeshOkHttp#wrap} for OkHttp and {@link io.inmesh.http.MeshHttpClient#wrap}
 * for {@code java.net.http}. A request whose host is a mesh service runs through the mesh's outbound pipeline (route,
 * split, fault, mirror, rewrites, retries, endpoint choice) and is sent to the endpoint the pipeline chose, with the
 * logical authority kept; any other host passes through untouched (or fails under
 * {@code outboundTrafficPolicy: REGISTRY_ONLY}).
 */
@NullMarked
package io.inmesh.http;

import org.jspecify.annotations.NullMarked;
