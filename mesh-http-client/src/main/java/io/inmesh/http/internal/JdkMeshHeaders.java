package io.inmesh.http.internal;

import io.inmesh.pipeline.MeshHeaders;
import java.net.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** A view of JDK {@link HttpHeaders} (already case-insensitive): no copy per request. */
final class JdkMeshHeaders extends HeadersView {
  private final HttpHeaders headers;

  JdkMeshHeaders(HttpHeaders headers) {
    this.headers = headers;
  }

  HttpHeaders headers() {
    return headers;
  }

  @Override
  public @Nullable String get(String name) {
    return headers.firstValue(name).orElse(null);
  }

  @Override
  public List<String> getAll(String name) {
    return headers.allValues(name);
  }

  @Override
  Iterable<String> rawNames() {
    return headers.map().keySet();
  }

  /** JDK headers with every value of {@code headers} (the same object when it is a view of JDK headers). */
  static HttpHeaders toJdk(MeshHeaders headers) {
    if (headers instanceof JdkMeshHeaders view) {
      return view.headers;
    }
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : headers.names()) {
      map.put(name, headers.getAll(name));
    }
    return HttpHeaders.of(new LinkedHashMap<>(map), (n, v) -> true);
  }
}
