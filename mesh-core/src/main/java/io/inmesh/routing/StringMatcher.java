package io.inmesh.routing;

import io.inmesh.config.RouteConfig.StringMatch;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A compiled {@link StringMatch}: exact, prefix, regex (whole value, as Envoy's safe_regex) or presence. Regexes are
 * compiled once per snapshot, never per request.
 */
public abstract sealed class StringMatcher {

  /** Whether {@code value} (null when absent) satisfies the condition. */
  public abstract boolean matches(@Nullable String value);

  /** Compiles {@code match}; an empty match means "present". */
  public static StringMatcher of(StringMatch match, boolean ignoreCase) {
    if (match.exact() != null) {
      return new Exact(match.exact(), ignoreCase);
    }
    if (match.prefix() != null) {
      return new Prefix(match.prefix(), ignoreCase);
    }
    if (match.regex() != null) {
      return new Regex(Pattern.compile(match.regex(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
    }
    return Present.INSTANCE;
  }

  static final class Exact extends StringMatcher {
    private final String value;
    private final boolean ignoreCase;

    Exact(String value, boolean ignoreCase) {
      this.value = value;
      this.ignoreCase = ignoreCase;
    }

    @Override
    public boolean matches(@Nullable String v) {
      return v != null && (ignoreCase ? value.equalsIgnoreCase(v) : value.equals(v));
    }

    @Override
    public String toString() {
      return "exact " + value;
    }
  }

  static final class Prefix extends StringMatcher {
    private final String prefix;
    private final boolean ignoreCase;

    Prefix(String prefix, boolean ignoreCase) {
      this.prefix = prefix;
      this.ignoreCase = ignoreCase;
    }

    @Override
    public boolean matches(@Nullable String v) {
      return v != null && v.regionMatches(ignoreCase, 0, prefix, 0, prefix.length());
    }

    @Override
    public String toString() {
      return "prefix " + prefix;
    }
  }

  static final class Regex extends StringMatcher {
    private final Pattern pattern;

    Regex(Pattern pattern) {
      this.pattern = pattern;
    }

    @Override
    public boolean matches(@Nullable String v) {
      return v != null && pattern.matcher(v).matches();
    }

    @Override
    public String toString() {
      return "regex " + pattern.pattern();
    }
  }

  static final class Present extends StringMatcher {
    static final Present INSTANCE = new Present();

    @Override
    public boolean matches(@Nullable String v) {
      return v != null;
    }

    @Override
    public String toString() {
      return "present";
    }
  }
}
