package io.inmesh.tls;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.InboundConfig.Mtls;
import io.inmesh.config.InboundConfig.PeerAuthentication;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.MtlsMode;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Resolves Istio PeerAuthentication for one workload and port: the most specific scope that sets a mode wins, and UNSET
 * inherits from the next scope out. Order: the port's {@code portLevelMtls} of a policy selecting the workload, that
 * policy's {@code mtls}, the namespace-wide policy, the mesh-wide policy (no namespace, no selector), then
 * {@code mesh.defaults.mtlsMode} (UNSET there: PERMISSIVE). When several policies share a level, the first in the
 * configuration decides (Istio: the oldest). A selector with no labels counts as no selector.
 *
 * <p>The same function serves the server helpers, the inbound filter and {@code mesh explain}.
 */
public final class PeerAuthentications {
  private PeerAuthentications() {}

  /** The mode for {@code workload} on {@code port} (0 or less: ignore {@code portLevelMtls}). */
  public static MtlsDecision resolve(MeshConfig config, WorkloadIdentity workload, int port) {
    PeerAuthentication workloadLevel = null;
    PeerAuthentication namespaceLevel = null;
    PeerAuthentication meshLevel = null;
    for (PeerAuthentication pa : config.inbound().peerAuthentication()) {
      if (pa.namespace() != null && !pa.namespace().equals(workload.namespace())) {
        continue;
      }
      boolean hasSelector = pa.selector() != null && !pa.selector().matchLabels().isEmpty();
      if (hasSelector) {
        if (workloadLevel == null && selects(pa.selector().matchLabels(), workload.labels())) {
          workloadLevel = pa;
        }
      } else if (pa.namespace() != null) {
        namespaceLevel = namespaceLevel == null ? pa : namespaceLevel;
      } else {
        meshLevel = meshLevel == null ? pa : meshLevel;
      }
    }
    if (workloadLevel != null) {
      Mtls portMode = port > 0 ? workloadLevel.portLevelMtls().get(port) : null;
      if (set(portMode)) {
        return new MtlsDecision(portMode.mode(), name(workloadLevel), MtlsDecision.Scope.WORKLOAD_PORT);
      }
      if (set(workloadLevel.mtls())) {
        return new MtlsDecision(workloadLevel.mtls().mode(), name(workloadLevel), MtlsDecision.Scope.WORKLOAD);
      }
    }
    if (namespaceLevel != null && set(namespaceLevel.mtls())) {
      return new MtlsDecision(namespaceLevel.mtls().mode(), name(namespaceLevel), MtlsDecision.Scope.NAMESPACE);
    }
    if (meshLevel != null && set(meshLevel.mtls())) {
      return new MtlsDecision(meshLevel.mtls().mode(), name(meshLevel), MtlsDecision.Scope.MESH);
    }
    MtlsMode fallback = config.mesh().defaults().mtlsMode();
    return new MtlsDecision(fallback == MtlsMode.UNSET ? MtlsMode.PERMISSIVE : fallback, null,
        MtlsDecision.Scope.DEFAULT);
  }

  /**
   * Whether any workload of this configuration can need a certificate: false only when {@code mesh.defaults.mtlsMode}
   * is DISABLE and no PeerAuthentication (at any scope or port) sets STRICT or PERMISSIVE.
   */
  public static boolean mtlsConfigured(MeshConfig config) {
    if (config.mesh().defaults().mtlsMode() != MtlsMode.DISABLE) {
      return true;
    }
    for (PeerAuthentication pa : config.inbound().peerAuthentication()) {
      if (enables(pa.mtls()) || pa.portLevelMtls().values().stream().anyMatch(PeerAuthentications::enables)) {
        return true;
      }
    }
    return false;
  }

  private static boolean enables(@Nullable Mtls m) {
    return m != null && (m.mode() == MtlsMode.STRICT || m.mode() == MtlsMode.PERMISSIVE);
  }

  private static boolean set(@Nullable Mtls m) {
    return m != null && m.mode() != MtlsMode.UNSET;
  }

  private static boolean selects(Map<String, String> matchLabels, Map<String, String> labels) {
    for (var e : matchLabels.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static String name(PeerAuthentication pa) {
    return (pa.namespace() != null ? pa.namespace() : "*") + "/" + pa.name();
  }
}
