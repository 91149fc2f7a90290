package io.inmesh.servlet;

import io.inmesh.pipeline.MeshHeaders;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Read-only {@link MeshHeaders} views over a servlet request's or response's headers: no copy per request. */
abstract class ServletHeaders implements MeshHeaders {

  static MeshHeaders of(HttpServletRequest request) {
    return new ServletHeaders() {
      @Override
      public @Nullable String get(String name) {
        return request.getHeader(name);
      }

      @Override
      public List<String> getAll(String name) {
        Enumeration<String> values = request.getHeaders(name);
        return values == null || !values.hasMoreElements() ? List.of() : Collections.list(values);
      }

      @Override
      Collection<String> rawNames() {
        Enumeration<String> names = request.getHeaderNames();
        return names == null ? List.of() : Collections.list(names);
      }
    };
  }

  static MeshHeaders of(HttpServletResponse response) {
    return new ServletHeaders() {
      @Override
      public @Nullable String get(String name) {
        return response.getHeader(name);
      }

      @Override
      public List<String> getAll(String name) {
        Collection<String> values = response.getHeaders(name);
        return values == null ? List.of() : new ArrayList<>(values);
      }

      @Override
      Collection<String> rawNames() {
        return response.getHeaderNames();
      }
    };
  }

  abstract Collection<String> rawNames();

  @Override
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    for (String n : rawNames()) {
      names.add(n.toLowerCase(Locale.ROOT));
    }
    return names;
  }
}
