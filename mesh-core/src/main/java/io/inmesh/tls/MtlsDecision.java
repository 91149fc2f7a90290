package io.inmesh.tls;

import io.inmesh.config.MtlsMode;
import org.jspecify.annotations.Nullable;

/**
 * The inbound mTLS mode of a workload's port, and where it came from.
 *
 * @param mode STRICT, PERMISSIVE or DISABLE (never UNSET)
 * @param policy the deciding PeerAuthentication as {@code namespace/name} ({@code *} for a policy without namespace),
 *     or null when {@code mesh.defaults.mtlsMode} decided
 * @param scope the level that decided
 */
public record MtlsDecision(MtlsMode mode, @Nullable String policy, Scope scope) {

  /** Levels of PeerAuthentication, most specific first. */
  public enum Scope {
    /** {@code portLevelMtls} of a policy whose selector matches the workload. */
    WORKLOAD_PORT,
    /** A policy whose selector matches the workload. */
    WORKLOAD,
    /** A policy of the workload's namespace without selector. */
    NAMESPACE,
    /** A policy without namespace and without selector. */
    MESH,
    /** {@code mesh.defaults.mtlsMode} (UNSET there: PERMISSIVE, as at Istio's top level). */
    DEFAULT
  }
}
