package io.inmesh.config.k8s;

import io.inmesh.config.internal.Location;
import io.inmesh.config.internal.YamlNode.MapNode;

/**
 * One Kubernetes resource of a configuration document, before its spec is bound.
 *
 * @param group the API group ({@code networking.istio.io})
 * @param kind the kind ({@code VirtualService})
 * @param meta the bound metadata
 * @param namespace {@code metadata.namespace}, or the mesh's default namespace
 * @param spec the {@code spec} map (empty when absent)
 * @param at where the resource starts
 */
record Resource(String group, String kind, Specs.ObjectMeta meta, String namespace, MapNode spec, Location at) {

  String name() {
    return meta.name();
  }

  /** {@code production/api-service}: how problems name the resource. */
  String display() {
    return namespace + "/" + meta.name();
  }

  /** A problem path inside the resource: {@code production/api-service: spec.http[0]}. */
  String path(String inside) {
    return display() + ": " + inside;
  }

  /** {@code VirtualService production/api-service}: how conflicts name it. */
  String title() {
    return kind + " " + display();
  }
}
