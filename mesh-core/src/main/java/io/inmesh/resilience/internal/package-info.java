/** The resilience stages' implementation: filters, classification policy, budgets, limits and breaker registries. */
@NullMarked
package io.inmesh.resilience.internal;

import org.jspecify.annotations.NullMarked;
