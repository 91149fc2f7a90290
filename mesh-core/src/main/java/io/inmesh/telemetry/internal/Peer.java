package io.inmesh.telemetry.internal;

import org.jspecify.annotations.Nullable;

/**
 * The labels of a request series that do not depend on the outcome: who reported it, source and destination
 * workloads, principals and the connection security policy. Built once per service (outbound) or per peer principal
 * (inbound) and reused, with its Prometheus label text precomputed so that neither recording nor scraping formats it
 * again.
 */
public final class Peer {
  final String reporter;
  final String sourceWorkload;
  final String sourcePrincipal;
  final String destinationService;
  final String destinationWorkload;
  final String destinationPrincipal;
  final boolean mutualTls;
  final String labelText;
  private final int hash;
  /**
   * The request series this peer counted last: nearly every request of a peer has the same response code and flags,
   * so recording skips the series map (whose key compares this peer's 400-character label text when the map holds an
   * equal peer of an earlier snapshot). Only ever set by the mesh's one {@link IstioMetrics}.
   */
  volatile IstioMetrics.@Nullable RequestSeries lastSeries;

  /**
   * @param reporter {@code source} (client side) or {@code destination} (server side)
   * @param protocol {@code http} for requests, {@code tcp} for connections
   * @param securityPolicy {@code mutual_tls}, {@code none} or {@code unknown}
   */
  public Peer(String reporter, String sourceWorkload, String sourceNamespace, String sourcePrincipal,
      String destinationServiceName, String destinationServiceNamespace, String destinationService,
      String destinationWorkload, String destinationNamespace, String destinationPrincipal, String protocol,
      String securityPolicy) {
    this.reporter = reporter;
    this.sourceWorkload = sourceWorkload;
    this.sourcePrincipal = sourcePrincipal;
    this.destinationService = destinationService;
    this.destinationWorkload = destinationWorkload;
    this.destinationPrincipal = destinationPrincipal;
    this.mutualTls = "mutual_tls".equals(securityPolicy);
    StringBuilder sb = new StringBuilder(400);
    Exposition.label(sb, "reporter", reporter).append(',');
    Exposition.label(sb, "source_workload", sourceWorkload).append(',');
    Exposition.label(sb, "source_workload_namespace", sourceNamespace).append(',');
    Exposition.label(sb, "source_principal", sourcePrincipal).append(',');
    Exposition.label(sb, "destination_service", destinationService).append(',');
    Exposition.label(sb, "destination_service_name", destinationServiceName).append(',');
    Exposition.label(sb, "destination_service_namespace", destinationServiceNamespace).append(',');
    Exposition.label(sb, "destination_workload", destinationWorkload).append(',');
    Exposition.label(sb, "destination_workload_namespace", destinationNamespace).append(',');
    Exposition.label(sb, "destination_principal", destinationPrincipal).append(',');
    Exposition.label(sb, "request_protocol", protocol).append(',');
    Exposition.label(sb, "connection_security_policy", securityPolicy).append(',');
    // The seed's PromQL (and some dashboards) spell it security_policy: both are exported.
    Exposition.label(sb, "security_policy", securityPolicy);
    this.labelText = sb.toString();
    this.hash = labelText.hashCode();
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Peer p && p.hash == hash && p.labelText.equals(labelText);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return labelText;
  }
}
