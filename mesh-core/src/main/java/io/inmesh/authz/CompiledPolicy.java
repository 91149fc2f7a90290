package io.inmesh.authz;

import io.inmesh.authz.AuthorizationDecision.Verdict;
import io.inmesh.config.InboundConfig.AuthorizationAction;
import io.inmesh.config.InboundConfig.AuthorizationPolicy;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** One policy that selects this workload, with its rules compiled. */
final class CompiledPolicy {
  final String id;
  final AuthorizationAction action;
  final boolean dryRun;
  final @Nullable String provider;
  private final CompiledRule[] rules;
  /** ALLOW and DENY policies: each rule's decision when there is nothing else to report, built once. */
  private final AuthorizationDecision @Nullable [] decisions;

  CompiledPolicy(AuthorizationPolicy p) {
    this.id = p.namespace() == null ? p.name() : p.namespace() + "/" + p.name();
    this.action = p.action();
    this.dryRun = p.dryRun();
    this.provider = p.provider() == null ? null : p.provider().name();
    this.rules = p.rules().stream().map(CompiledRule::compile).toArray(CompiledRule[]::new);
    if (action == AuthorizationAction.ALLOW || action == AuthorizationAction.DENY) {
      Verdict verdict = action == AuthorizationAction.ALLOW ? Verdict.ALLOW : Verdict.DENY;
      decisions = new AuthorizationDecision[rules.length];
      for (int i = 0; i < rules.length; i++) {
        decisions[i] = new AuthorizationDecision(verdict, id, i, "matched " + action + " policy", List.of(),
            List.of(), null);
      }
    } else {
      decisions = null;
    }
  }

  /** The decision of an ALLOW or DENY policy whose rule {@code rule} matched, with nothing else to report. */
  AuthorizationDecision decision(int rule) {
    return Objects.requireNonNull(decisions, "only ALLOW and DENY policies decide by themselves")[rule];
  }

  /** The index of the first rule that matches, or -1 (always -1 without rules: {@code spec: {}} matches nothing). */
  int matchingRule(AuthorizationRequest r) {
    for (int i = 0; i < rules.length; i++) {
      if (rules[i].matches(r)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return action + (dryRun ? " (dry-run) " : " ") + id;
  }
}
