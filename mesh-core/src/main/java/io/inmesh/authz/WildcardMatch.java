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
  /** The value of an EXACT text that is a canonical decimal int, so a port compares as a number; else NOT_NUMBER. */
  private final long number;

  private static final long NOT_NUMBER = Long.MIN_VALUE;

  private WildcardMatch(Kind kind, String text, boolean ignoreCase) {
    this.kind = kind;
    this.text = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
    this.ignoreCase = ignoreCase;
    this.number = kind == Kind.EXACT ? canonicalInt(this.text) : NOT_NUMBER;
  }

  private static long canonicalInt(String text) {
    try {
      int n = Integer.parseInt(text);
      return Integer.toString(n).equals(text) ? n : NOT_NUMBER; // "080" and "+80" never equal a port's digits
    } catch (NumberFormatException e) {
      return NOT_NUMBER;
    }
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
    return value != null && matches(value, 0, value.length());
  }

  /** Whether {@code value.substring(from, to)} matches, compared in place. */
  @Override
  public boolean matches(String value, int from, int to) {
    if (ignoreCase && !isAscii(value, from, to)) {
      // Lower-casing may change the length of a non-ASCII string (U+0130): compare the lower-cased copy (rare).
      String lower = value.substring(from, to).toLowerCase(Locale.ROOT);
      return test(lower, 0, lower.length(), false);
    }
    return test(value, from, to, ignoreCase);
  }

  /** Whether the decimal form of {@code number} matches, without building it for an exact pattern. */
  @Override
  public boolean matchesNumber(int number) {
    return switch (kind) {
      case EXACT -> number == this.number;
      case ANY -> true;
      case PREFIX, SUFFIX -> ValueMatcher.super.matchesNumber(number);
    };
  }

  /** {@code foldAscii}: compare as if {@code v} had been lower-cased (it is ASCII, where that maps A-Z only). */
  private boolean test(String v, int from, int to, boolean foldAscii) {
    int length = to - from;
    return switch (kind) {
      case EXACT -> length == text.length() && regionEquals(v, from, foldAscii);
      case PREFIX -> length >= text.length() && regionEquals(v, from, foldAscii);
      case SUFFIX -> length >= text.length() && regionEquals(v, to - text.length(), foldAscii);
      case ANY -> length > 0;
    };
  }

  private boolean regionEquals(String v, int at, boolean foldAscii) {
    if (!foldAscii) {
      // The common case, a whole value, goes to equals and startsWith: faster than regionMatches.
      return at == 0 && v.length() == text.length() ? v.equals(text) : v.startsWith(text, at);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = v.charAt(at + i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAscii(String v, int from, int to) {
    for (int i = from; i < to; i++) {
      if (v.charAt(i) > 0x7f) {
        return false;
      }
    }
    return true;
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
