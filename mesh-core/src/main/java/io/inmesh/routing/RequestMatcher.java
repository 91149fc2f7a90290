package io.inmesh.routing;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.RouteConfig.Match;
import io.inmesh.config.RouteConfig.StringMatch;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One compiled {@code match} entry: every condition must hold (Istio ANDs the fields of one entry). Source conditions
 * ({@code sourceLabels}, {@code sourceNamespace}) depend only on the calling workload, so they are decided when the
 * snapshot is compiled: an entry whose source conditions fail is left out of this workload's table.
 */
public final class RequestMatcher {
  private static final String[] NO_NAMES = new String[0];
  private static final StringMatcher[] NO_MATCHERS = new StringMatcher[0];

  private final @Nullable StringMatcher uri;
  private final @Nullable StringMatcher method;
  private final String[] headerNames;
  private final StringMatcher[] headerMatchers;
  private final String[] withoutHeaderNames;
  private final StringMatcher[] withoutHeaderMatchers;
  private final String[] queryNames;
  private final StringMatcher[] queryMatchers;

  private RequestMatcher(Match m) {
    this.uri = m.uri() == null ? null : StringMatcher.of(m.uri(), m.ignoreUriCase());
    this.method = m.method() == null ? null : StringMatcher.of(m.method(), false);
    this.headerNames = names(m.headers());
    this.headerMatchers = matchers(m.headers());
    this.withoutHeaderNames = names(m.withoutHeaders());
    this.withoutHeaderMatchers = matchers(m.withoutHeaders());
    this.queryNames = names(m.queryParams());
    this.queryMatchers = matchers(m.queryParams());
  }

  /** Compiles {@code m} for {@code workload}, or returns null when its source conditions exclude the workload. */
  public static @Nullable RequestMatcher compile(Match m, WorkloadIdentity workload) {
    if (m.sourceNamespace() != null && !m.sourceNamespace().equals(workload.namespace())) {
      return null;
    }
    if (!workload.labels().entrySet().containsAll(m.sourceLabels().entrySet())) {
      return null;
    }
    return new RequestMatcher(m);
  }

  /** Whether every condition holds for {@code request}. */
  public boolean matches(MeshRequest request) {
    if (uri != null && !uri.matches(request.path())) {
      return false;
    }
    if (method != null && !method.matches(request.method())) {
      return false;
    }
    MeshHeaders headers = request.headers();
    for (int i = 0; i < headerNames.length; i++) {
      if (!headerMatchers[i].matches(headerValue(headers, headerNames[i]))) {
        return false;
      }
    }
    for (int i = 0; i < withoutHeaderNames.length; i++) {
      if (withoutHeaderMatchers[i].matches(headerValue(headers, withoutHeaderNames[i]))) {
        return false;
      }
    }
    for (int i = 0; i < queryNames.length; i++) {
      if (!queryMatchers[i].matches(request.queryParameter(queryNames[i]))) {
        return false;
      }
    }
    return true;
  }

  /** A repeated header is matched on its values joined with ',', as Envoy does. */
  private static @Nullable String headerValue(MeshHeaders headers, String name) {
    List<String> all = headers.getAll(name);
    return switch (all.size()) {
      case 0 -> null;
      case 1 -> all.get(0);
      default -> String.join(",", all);
    };
  }

  private static String[] names(Map<String, StringMatch> conditions) {
    return conditions.isEmpty() ? NO_NAMES : conditions.keySet().toArray(String[]::new);
  }

  private static StringMatcher[] matchers(Map<String, StringMatch> conditions) {
    if (conditions.isEmpty()) {
      return NO_MATCHERS;
    }
    return conditions.values().stream().map(sm -> StringMatcher.of(sm, false)).toArray(StringMatcher[]::new);
  }
}
