/**
 * Authorization with Istio AuthorizationPolicy semantics: the policies that select this workload are compiled once
 * per configuration snapshot ({@link io.inmesh.authz.AuthorizationPolicies}) and evaluated per request, CUSTOM, then
 * DENY, then ALLOW, with AUDIT and dry-run policies recorded but never deciding. Every
 * {@link io.inmesh.authz.AuthorizationDecision} names the policy and rule that decided.
 */
@NullMarked
package io.inmesh.authz;

import org.jspecify.annotations.NullMarked;
