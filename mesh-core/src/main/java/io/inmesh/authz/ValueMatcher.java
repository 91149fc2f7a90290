package io.inmesh.authz;

import org.jspecify.annotations.Nullable;

/** One compiled value of a policy field; a null value (the attribute is unknown) matches nothing. */
@FunctionalInterface
interface ValueMatcher {
  boolean matches(@Nullable String value);
}
