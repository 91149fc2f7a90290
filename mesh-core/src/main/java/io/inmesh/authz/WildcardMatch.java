package io.inmesh.authz;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An Istio string match: exact {@code abc}, prefix {@code abc*}, suffix {@code *abc}, or {@code *} (any non-empty
 * value). The configuration validator has already refused a {@code *} anywhere else.
 */
public final class WildcardMatch implements ValueMatcher {
  private enum Kind {
    EXACT,
    PREFIX,
    SUFFIX,
    ANY
  }

  private final Kind kind;
  private final String text;
  private final boolean ignoreCase;

  private WildcardMatch(Kind kind, String text, boolean ignoreCase) {
    this.kind = kind;
    this.text = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
    this.ignoreCase = ignoreCase;
  }

  /** Compiles a case-sensitive pattern. */
  public static WildcardMatch of(String pattern) {
    return of(pattern, false);
  }

  /** Compiles a pattern; {@code ignoreCase} for host names. */
  public static WildcardMatch of(String pattern, boolean ignoreCase) {
    if (pattern.equals("*")) {
      return new WildcardMatch(Kind.ANY, "", ignoreCase);
    }
    if (pattern.length() > 1 && pattern.endsWith("*")) {
      return new WildcardMatch(Kind.PREFIX, pattern.substring(0, pattern.length() - 1), ignoreCase);
    }
    if (pattern.length() > 1 && pattern.startsWith("*")) {
      return new WildcardMatch(Kind.SUFFIX, pattern.substring(1), ignoreCase);
    }
    return new WildcardMatch(Kind.EXACT, pattern, ignoreCase);
  }

  /** Compiles a principal pattern: a SPIFFE ID ({@code spiffe://td/ns/x/sa/y}) matches as its Istio form. */
  public static WildcardMatch principal(String pattern) {
    return of(pattern.startsWith("spiffe://") ? pattern.substring("spiffe://".length()) : pattern);
  }

  @Override
  public boolean matches(@Nullable String value) {
    if (value == null) {
      return false;
    }
    String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    return switch (kind) {
      case EXACT -> v.equals(text);
      case PREFIX -> v.startsWith(text);
      case SUFFIX -> v.endsWith(text);
      case ANY -> !v.isEmpty();
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case EXACT -> text;
      case PREFIX -> text + "*";
      case SUFFIX -> "*" + text;
      case ANY -> "*";
    };
  }
}
