package io.inmesh.resilience.internal;

import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A request with one header set over the original's (replacing any value of that name), without copying the other
 * headers: the attempt number and the remaining deadline are set per attempt, and the adapters apply the request's
 * headers to the wire request.
 */
final class WithHeader implements MeshRequest, MeshHeaders {
  private final MeshRequest base;
  private final String name; // lower case
  private final String value;
  private @Nullable Set<String> names;

  WithHeader(MeshRequest base, String lowerCaseName, String value) {
    this.base = base;
    this.name = lowerCaseName;
    this.value = value;
  }

  @Override
  public String method() {
    return base.method();
  }

  @Override
  public String scheme() {
    return base.scheme();
  }

  @Override
  public String authority() {
    return base.authority();
  }

  @Override
  public String path() {
    return base.path();
  }

  @Override
  public @Nullable String query() {
    return base.query();
  }

  @Override
  public MeshHeaders headers() {
    return this;
  }

  @Override
  public @Nullable String get(String header) {
    return name.equalsIgnoreCase(header) ? value : base.headers().get(header);
  }

  @Override
  public List<String> getAll(String header) {
    return name.equalsIgnoreCase(header) ? List.of(value) : base.headers().getAll(header);
  }

  @Override
  public Set<String> names() {
    Set<String> n = names;
    if (n == null) {
      Set<String> all = new LinkedHashSet<>(base.headers().names());
      all.add(name);
      names = n = Set.copyOf(all);
    }
    return n;
  }

  @Override
  public String toString() {
    return method() + " " + authority() + path() + " +" + name + ": " + value;
  }
}
