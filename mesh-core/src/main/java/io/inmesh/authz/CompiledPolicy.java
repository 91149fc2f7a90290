package io.inmesh.authz;

import io.inmesh.config.InboundConfig.AuthorizationAction;
import io.inmesh.config.InboundConfig.AuthorizationPolicy;
import org.jspecify.annotations.Nullable;

/** One policy that selects this workload, with its rules compiled. */
final class CompiledPolicy {
  final String id;
  final AuthorizationAction action;
  final boolean dryRun;
  final @Nullable String provider;
  private final CompiledRule[] rules;

  CompiledPolicy(AuthorizationPolicy p) {
    this.id = p.namespace() == null ? p.name() : p.namespace() + "/" + p.name();
    this.action = p.action();
    this.dryRun = p.dryRun();
    this.provider = p.provider() == null ? null : p.provider().name();
    this.rules = p.rules().stream().map(CompiledRule::compile).toArray(CompiledRule[]::new);
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
