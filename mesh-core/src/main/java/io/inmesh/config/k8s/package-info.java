/**
 * Istio and Linkerd manifests as mesh configuration: documents with {@code apiVersion} / {@code kind} /
 * {@code metadata} / {@code spec} are bound strictly (with located problems, like the native format) and translated
 * into the native model, so that one implementation gives the behaviour. Used by
 * {@link io.inmesh.config.ConfigLoader}; nothing here is API.
 *
 * <p>Unknown fields are errors; fields that are valid Istio or Linkerd but that InMesh does not implement are
 * warnings naming the resource and field ({@code production/api-service: spec.http[0].corsPolicy: not supported,
 * ignored}), or errors with the loader's strict option. Fields that would widen who is authorized if ignored are
 * always errors.
 */
@NullMarked
package io.inmesh.config.k8s;

import org.jspecify.annotations.NullMarked;
