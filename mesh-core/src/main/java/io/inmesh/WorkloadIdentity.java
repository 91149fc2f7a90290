package io.inmesh;

import io.inmesh.tls.SpiffeId;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who this application is in the mesh: the workload whose policies apply to it inbound and whose identity it presents
 * outbound.
 *
 * @param name the workload (service) name
 * @param namespace its namespace
 * @param serviceAccount its service account, the last segment of its SPIFFE ID
 * @param labels its labels, matched by policy selectors ({@code app: <name>} unless set otherwise)
 * @param zone its locality zone, or null
 */
public record WorkloadIdentity(
    String name, String namespace, String serviceAccount, Map<String, String> labels, @Nullable String zone) {

  public WorkloadIdentity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    labels = Map.copyOf(labels);
  }

  /** The SPIFFE ID of this workload in {@code trustDomain}. */
  public SpiffeId spiffeId(String trustDomain) {
    return SpiffeId.ofWorkload(trustDomain, namespace, serviceAccount);
  }
}
