package io.inmesh.telemetry.internal;

import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A request with trace headers set over the original's (replacing any of the same name, so that a retry does not
 * send the previous attempt's {@code traceparent}). A view: the original headers are not copied.
 */
final class HeaderOverlay implements MeshRequest, MeshHeaders {
  static final TextMapSetter<Map<String, String>> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.put(key.toLowerCase(Locale.ROOT), value);
    }
  };

  private final MeshRequest request;
  private final Map<String, String> added;

  HeaderOverlay(MeshRequest request, Map<String, String> added) {
    this.request = request;
    this.added = added;
  }

  @Override
  public String method() {
    return request.method();
  }

  @Override
  public String scheme() {
    return request.scheme();
  }

  @Override
  public String authority() {
    return request.authority();
  }

  @Override
  public String path() {
    return request.path();
  }

  @Override
  public @Nullable String query() {
    return request.query();
  }

  @Override
  public MeshHeaders headers() {
    return this;
  }

  @Override
  public @Nullable String get(String name) {
    String v = added.get(name.toLowerCase(Locale.ROOT));
    return v != null ? v : request.headers().get(name);
  }

  @Override
  public List<String> getAll(String name) {
    String v = added.get(name.toLowerCase(Locale.ROOT));
    return v != null ? List.of(v) : request.headers().getAll(name);
  }

  @Override
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>(request.headers().names());
    names.addAll(added.keySet());
    return names;
  }

  /** The original request (an adapter may unwrap to reach its own request type). */
  MeshRequest original() {
    return request;
  }

  static Map<String, String> newCarrier() {
    return new LinkedHashMap<>(4);
  }

  @Override
  public String toString() {
    return request + " + " + new ArrayList<>(added.keySet());
  }
}
