package io.inmesh.authz;

import org.jspecify.annotations.Nullable;

/** One compiled value of a policy field; a null value (the attribute is unknown) matches nothing. */
@FunctionalInterface
interface ValueMatcher {
  boolean matches(@Nullable String value);

  /**
   * Whether {@code value.substring(from, to)} matches. The attributes that are part of a longer string (the host in
   * the authority, the namespace in the principal) are matched through this, so that a matcher that can compare in
   * place ({@link WildcardMatch}) needs no copy per request.
   */
  default boolean matches(String value, int from, int to) {
    return matches(value.substring(from, to));
  }

  /** Whether the decimal form of {@code number} (a port) matches; a matcher that can compares without a string. */
  default boolean matchesNumber(int number) {
    return matches(Integer.toString(number));
  }
}
