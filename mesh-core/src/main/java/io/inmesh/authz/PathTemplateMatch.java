package io.inmesh.authz;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An Istio path template: {@code {*}} matches exactly one non-empty path segment, {@code {**}} (last only) matches
 * the rest of the path, any number of segments, as Envoy's URI templates do.
 */
final class PathTemplateMatch implements ValueMatcher {
  private final Pattern pattern;
  private final String template;

  private PathTemplateMatch(Pattern pattern, String template) {
    this.pattern = pattern;
    this.template = template;
  }

  static boolean isTemplate(String path) {
    return path.contains("{*}") || path.contains("{**}");
  }

  static PathTemplateMatch of(String template) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      if (template.startsWith("{**}", i)) {
        regex.append(".*");
        i += 4;
      } else if (template.startsWith("{*}", i)) {
        regex.append("[^/]+");
        i += 3;
      } else {
        int next = template.indexOf('{', i + 1);
        int end = next < 0 ? template.length() : next;
        regex.append(Pattern.quote(template.substring(i, end)));
        i = end;
      }
    }
    return new PathTemplateMatch(Pattern.compile(regex.toString()), template);
  }

  @Override
  public boolean matches(@Nullable String value) {
    return value != null && pattern.matcher(value).matches();
  }

  @Override
  public String toString() {
    return template;
  }
}
