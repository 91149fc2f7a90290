package io.inmesh.authz;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What authorization decided for one request, and why.
 *
 * @param verdict ALLOW or DENY
 * @param policy the policy that decided ({@code namespace/name}, or {@code name} for a mesh-wide policy), or null
 *     when no policy did (no ALLOW policy applies, or none matched)
 * @param rule the index of the policy's rule that matched, or null
 * @param reason a short explanation, such as {@code no ALLOW policy matched}
 * @param dryRunMatches the dry-run policies whose rules matched (evaluated and reported, never enforced)
 * @param auditMatches the AUDIT policies whose rules matched
 * @param dryRunVerdict the verdict had the dry-run policies been enforced, or null when none applies
 */
public record AuthorizationDecision(
    Verdict verdict,
    @Nullable String policy,
    @Nullable Integer rule,
    String reason,
    List<String> dryRunMatches,
    List<String> auditMatches,
    @Nullable Verdict dryRunVerdict) {

  /** The outcome. */
  public enum Verdict {
    ALLOW,
    DENY
  }

  public AuthorizationDecision {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(reason, "reason");
    dryRunMatches = List.copyOf(dryRunMatches);
    auditMatches = List.copyOf(auditMatches);
  }

  public boolean allowed() {
    return verdict == Verdict.ALLOW;
  }

  /** One line for logs: {@code DENY by production/deny-admin rule 0 (matched DENY policy)}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(verdict.name());
    if (policy != null) {
      sb.append(" by ").append(policy);
      if (rule != null) {
        sb.append(" rule ").append(rule);
      }
    }
    sb.append(" (").append(reason).append(')');
    if (!dryRunMatches.isEmpty()) {
      sb.append(" dry-run matches ").append(dryRunMatches).append(" -> ").append(dryRunVerdict);
    }
    if (!auditMatches.isEmpty()) {
      sb.append(" audit ").append(auditMatches);
    }
    return sb.toString();
  }
}
