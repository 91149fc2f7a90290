package io.inmesh.authz;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An Istio path template: {@code {*}} matches exactly one non-empty path segment, {@code {**}} matches any run of
 * characters, {@code /} included (the validator only accepts it last, where it matches the rest of the path, as
 * Envoy's URI templates do; a second {@code {**}} before a final one is matched the same way), everything else is
 * literal.
 *
 * <p>The template is split once, when the policy is compiled, into literals and the wildcards between them; a match
 * is index arithmetic on the path, allocation-free (it runs for every template tried on every request). The result
 * is exactly that of the regular expression this class used to build (literals quoted, {@code {*}} as
 * {@code [^/]+}, {@code {**}} as {@code .*} in DOTALL mode), which the tests keep as their oracle. {@code {**}}
 * matches line terminators too (the regex without DOTALL did not): a DENY rule on {@code /admin/{**}} must not be
 * escaped by a path with a raw newline, which only {@code pathNormalization: NONE} lets through.
 */
final class PathTemplateMatch implements ValueMatcher {
  private static final String ONE = "{*}";
  private static final String MANY = "{**}";

  private final String template;
  /** literals[i] precedes wildcard i; the last one follows the last wildcard. Empty between adjacent wildcards. */
  private final String[] literals;
  /** Whether wildcard i is {@code {*}} (one segment) rather than {@code {**}}. */
  private final boolean[] oneSegment;
  /** The fewest characters between the end of wildcard i and the last literal. */
  private final int[] minAfter;
  /** The fewest characters a matching path can have. */
  private final int minLength;

  private PathTemplateMatch(String template, String[] literals, boolean[] oneSegment) {
    this.template = template;
    this.literals = literals;
    this.oneSegment = oneSegment;
    int wildcards = oneSegment.length;
    this.minAfter = new int[wildcards];
    int after = 0;
    for (int i = wildcards - 1; i >= 0; i--) {
      minAfter[i] = after;
      after += literals[i].length() + (oneSegment[i] ? 1 : 0);
    }
    this.minLength = after + literals[wildcards].length();
  }

  static boolean isTemplate(String path) {
    return path.contains(ONE) || path.contains(MANY);
  }

  /** Splits {@code template}: {@code {**}} is recognised before {@code {*}}, any other {@code {} is literal. */
  static PathTemplateMatch of(String template) {
    List<String> literals = new ArrayList<>();
    List<Boolean> kinds = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      boolean many = template.startsWith(MANY, i);
      if (many || template.startsWith(ONE, i)) {
        literals.add(literal.toString());
        literal.setLength(0);
        kinds.add(!many);
        i += many ? MANY.length() : ONE.length();
      } else {
        int next = template.indexOf('{', i + 1);
        int end = next < 0 ? template.length() : next;
        literal.append(template, i, end);
        i = end;
      }
    }
    literals.add(literal.toString());
    boolean[] oneSegment = new boolean[kinds.size()];
    for (int k = 0; k < oneSegment.length; k++) {
      oneSegment[k] = kinds.get(k);
    }
    return new PathTemplateMatch(template, literals.toArray(String[]::new), oneSegment);
  }

  @Override
  public boolean matches(@Nullable String value) {
    if (value == null || value.length() < minLength) {
      return false;
    }
    int wildcards = oneSegment.length;
    String first = literals[0];
    String last = literals[wildcards];
    if (wildcards == 0) {
      return value.equals(first);
    }
    // Anchored at both ends: the first and last literals are a prefix and a suffix (they cannot overlap: minLength).
    if (!value.startsWith(first) || !value.endsWith(last)) {
      return false;
    }
    return matchFrom(value, 0, first.length(), value.length() - last.length());
  }

  /**
   * Whether wildcards {@code w..} and the literals between them match {@code value[pos, end)} exactly. Tries every
   * end of wildcard {@code w} at which the next literal occurs, as the regex's backtracking did; the number of
   * candidates is small (a {@code {*}} cannot cross a {@code /}), and the depth is the number of wildcards.
   */
  private boolean matchFrom(String value, int w, int pos, int end) {
    boolean one = oneSegment[w];
    int stop = one ? segmentEnd(value, pos, end) : end;
    if (w == oneSegment.length - 1) {
      return stop == end && (!one || pos < end) && !splitsPair(value, pos, end);
    }
    String next = literals[w + 1];
    int latest = Math.min(stop, end - minAfter[w]);
    for (int x = one ? pos + 1 : pos; x <= latest; x++) {
      if (!next.isEmpty()) {
        x = value.indexOf(next, x);
        if (x < 0 || x > latest) {
          return false;
        }
      }
      if (!splitsPair(value, pos, x) && matchFrom(value, w + 1, x + next.length(), end)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a wildcard spanning {@code [pos, x)} would end inside a surrogate pair: the regex consumed whole code
   * points, so a {@code {*}} of one emoji is one character, not two.
   */
  private static boolean splitsPair(String value, int pos, int x) {
    return x > pos && x < value.length() && Character.isHighSurrogate(value.charAt(x - 1))
        && Character.isLowSurrogate(value.charAt(x));
  }

  /** How far a {@code {*}} starting at {@code pos} can reach: the next {@code /}, or {@code end}. */
  private static int segmentEnd(String value, int pos, int end) {
    int slash = value.indexOf('/', pos);
    return slash < 0 || slash > end ? end : slash;
  }

  @Override
  public String toString() {
    return template;
  }
}
