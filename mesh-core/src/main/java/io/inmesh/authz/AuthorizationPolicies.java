package io.inmesh.authz;

import io.inmesh.WorkloadIdentity;
import io.inmesh.authz.AuthorizationDecision.Verdict;
import io.inmesh.config.InboundConfig;
import io.inmesh.config.InboundConfig.AuthorizationAction;
import io.inmesh.config.InboundConfig.AuthorizationPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The authorization policies that apply to one workload, compiled once per configuration snapshot, and their
 * evaluation with Istio's semantics:
 *
 * <ol>
 *   <li>a CUSTOM policy whose rules match asks its external authorizer; a refusal denies;
 *   <li>a DENY policy whose rules match denies;
 *   <li>no ALLOW policy applies to the workload: allow;
 *   <li>an ALLOW policy whose rules match allows;
 *   <li>otherwise deny ("no ALLOW policy matched").
 * </ol>
 *
 * <p>AUDIT policies never decide: their matches are recorded. Dry-run policies are evaluated separately: their
 * matches and the verdict had they been enforced are recorded, never enforced. An error while evaluating denies.
 *
 * <p>A policy applies to the workload when it has no namespace (mesh-wide) or the workload's namespace, and no
 * selector or a selector whose {@code matchLabels} are all among the workload's labels.
 */
public final class AuthorizationPolicies {
  private static final AuthorizationPolicies EMPTY = new AuthorizationPolicies(List.of());
  private static final AuthorizationDecision ALLOW_NO_POLICY = new AuthorizationDecision(Verdict.ALLOW, null, null,
      "no ALLOW policy applies to the workload", List.of(), List.of(), null);
  static final String NO_ALLOW_MATCHED = "no ALLOW policy matched";
  private static final AuthorizationDecision DENY_NO_ALLOW_MATCHED = new AuthorizationDecision(Verdict.DENY, null,
      null, NO_ALLOW_MATCHED, List.of(), List.of(), null);

  private final List<CompiledPolicy> all;
  private final CompiledPolicy[] custom;
  private final CompiledPolicy[] deny;
  private final CompiledPolicy[] allow;
  private final CompiledPolicy[] audit;
  private final CompiledPolicy[] dryRun;
  private final boolean dryRunAllowsApply;

  private AuthorizationPolicies(List<CompiledPolicy> policies) {
    this.all = List.copyOf(policies);
    this.custom = select(policies, AuthorizationAction.CUSTOM, false);
    this.deny = select(policies, AuthorizationAction.DENY, false);
    this.allow = select(policies, AuthorizationAction.ALLOW, false);
    this.audit = select(policies, AuthorizationAction.AUDIT, false);
    this.dryRun = policies.stream().filter(p -> p.dryRun).toArray(CompiledPolicy[]::new);
    this.dryRunAllowsApply = policies.stream().anyMatch(p -> p.dryRun && p.action == AuthorizationAction.ALLOW);
  }

  /** No policies: every request is allowed. */
  public static AuthorizationPolicies empty() {
    return EMPTY;
  }

  /** Compiles the policies of {@code inbound} that apply to {@code workload}, in configuration order. */
  public static AuthorizationPolicies compile(InboundConfig inbound, WorkloadIdentity workload) {
    List<CompiledPolicy> selected = new ArrayList<>();
    for (AuthorizationPolicy p : inbound.authorization()) {
      if (appliesTo(p.namespace(), p.selector(), workload)) {
        selected.add(new CompiledPolicy(p));
      }
    }
    return selected.isEmpty() ? EMPTY : new AuthorizationPolicies(selected);
  }

  /** Whether a policy scoped by {@code namespace} and {@code selector} applies to {@code workload}. */
  public static boolean appliesTo(@Nullable String namespace, InboundConfig.@Nullable WorkloadSelector selector,
      WorkloadIdentity workload) {
    if (namespace != null && !namespace.equals(workload.namespace())) {
      return false;
    }
    return selector == null || workload.labels().entrySet().containsAll(selector.matchLabels().entrySet());
  }

  private static CompiledPolicy[] select(List<CompiledPolicy> policies, AuthorizationAction action, boolean dryRun) {
    return policies.stream().filter(p -> p.action == action && p.dryRun == dryRun).toArray(CompiledPolicy[]::new);
  }

  /** The ids of the policies that apply ({@code namespace/name} or {@code name}), in configuration order. */
  public List<String> policyIds() {
    return all.stream().map(p -> p.id).toList();
  }

  public boolean isEmpty() {
    return all.isEmpty();
  }

  /**
   * Decides {@code request}. Never throws: an error while evaluating (a failing authorizer included) denies.
   *
   * @param authorizers the external authorizers by provider name (returning null for an unknown one)
   */
  public AuthorizationDecision evaluate(AuthorizationRequest request,
      Function<String, @Nullable ExternalAuthorizer> authorizers) {
    if (all.isEmpty()) {
      return ALLOW_NO_POLICY;
    }
    try {
      return decide(request, authorizers);
    } catch (RuntimeException e) {
      return new AuthorizationDecision(Verdict.DENY, null, null, "error while evaluating: " + e, List.of(),
          List.of(), null);
    }
  }

  private AuthorizationDecision decide(AuthorizationRequest r,
      Function<String, @Nullable ExternalAuthorizer> authorizers) {
    List<String> audits = matches(audit, r);
    List<String> dryRunMatches = dryRun.length == 0 ? List.of() : matches(dryRun, r);
    for (CompiledPolicy p : custom) {
      int rule = p.matchingRule(r);
      if (rule >= 0) {
        String refusal = askAuthorizer(p, r, authorizers);
        if (refusal != null) {
          return decision(Verdict.DENY, p, rule, refusal, dryRunMatches, audits, Verdict.DENY);
        }
      }
    }
    Verdict shadow = dryRun.length == 0 ? null : shadowVerdict(r);
    for (CompiledPolicy p : deny) {
      int rule = p.matchingRule(r);
      if (rule >= 0) {
        return matched(p, rule, dryRunMatches, audits, shadow);
      }
    }
    if (allow.length == 0) {
      return nothingElse(dryRunMatches, audits, shadow) ? ALLOW_NO_POLICY
          : new AuthorizationDecision(Verdict.ALLOW, null, null, ALLOW_NO_POLICY.reason(), dryRunMatches, audits,
              shadow);
    }
    for (CompiledPolicy p : allow) {
      int rule = p.matchingRule(r);
      if (rule >= 0) {
        return matched(p, rule, dryRunMatches, audits, shadow);
      }
    }
    return nothingElse(dryRunMatches, audits, shadow) ? DENY_NO_ALLOW_MATCHED
        : new AuthorizationDecision(Verdict.DENY, null, null, NO_ALLOW_MATCHED, dryRunMatches, audits, shadow);
  }

  /** Null when the authorizer lets the request go on, else why it was refused. */
  private static @Nullable String askAuthorizer(CompiledPolicy p, AuthorizationRequest r,
      Function<String, @Nullable ExternalAuthorizer> authorizers) {
    String provider = p.provider == null ? "" : p.provider;
    ExternalAuthorizer authorizer = authorizers.apply(provider);
    if (authorizer == null) {
      return "external authorizer '" + provider + "' is not registered";
    }
    try {
      return authorizer.allows(r) ? null : "denied by external authorizer '" + provider + "'";
    } catch (Exception e) {
      return "external authorizer '" + provider + "' failed: " + e;
    }
  }

  /**
   * The verdict had the dry-run policies been enforced next to the others (CUSTOM refusals, decided before this is
   * called, are left out: Istio does not dry-run CUSTOM policies).
   */
  private Verdict shadowVerdict(AuthorizationRequest r) {
    boolean anyAllowApplies = allow.length > 0 || dryRunAllowsApply;
    boolean allowed = !anyAllowApplies;
    for (CompiledPolicy p : dryRun) {
      if (p.action == AuthorizationAction.DENY && p.matchingRule(r) >= 0) {
        return Verdict.DENY;
      }
      if (p.action == AuthorizationAction.ALLOW && !allowed && p.matchingRule(r) >= 0) {
        allowed = true;
      }
    }
    for (CompiledPolicy p : deny) {
      if (p.matchingRule(r) >= 0) {
        return Verdict.DENY;
      }
    }
    for (int i = 0; i < allow.length && !allowed; i++) {
      allowed = allow[i].matchingRule(r) >= 0;
    }
    return allowed ? Verdict.ALLOW : Verdict.DENY;
  }

  private static List<String> matches(CompiledPolicy[] policies, AuthorizationRequest r) {
    List<String> ids = null;
    for (CompiledPolicy p : policies) {
      if (p.matchingRule(r) >= 0) {
        if (ids == null) {
          ids = new ArrayList<>(2);
        }
        ids.add(p.id);
      }
    }
    return ids == null ? List.of() : ids;
  }

  /** A matched ALLOW or DENY policy's decision: the one built with the policy unless there is more to report. */
  private static AuthorizationDecision matched(CompiledPolicy p, int rule, List<String> dryRunMatches,
      List<String> audits, @Nullable Verdict shadow) {
    AuthorizationDecision plain = p.decision(rule);
    return nothingElse(dryRunMatches, audits, shadow) ? plain
        : decision(plain.verdict(), p, rule, plain.reason(), dryRunMatches, audits, shadow);
  }

  /** Whether a decision has nothing to report beyond its verdict, so that a shared one can be returned. */
  private static boolean nothingElse(List<String> dryRunMatches, List<String> audits, @Nullable Verdict shadow) {
    return dryRunMatches.isEmpty() && audits.isEmpty() && shadow == null;
  }

  private static AuthorizationDecision decision(Verdict verdict, CompiledPolicy p, int rule, String reason,
      List<String> dryRunMatches, List<String> audits, @Nullable Verdict shadow) {
    return new AuthorizationDecision(verdict, p.id, rule, reason, dryRunMatches, audits, shadow);
  }

  @Override
  public String toString() {
    return "AuthorizationPolicies" + all;
  }
}
