package io.inmesh.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * HTTP headers, read-only, with case-insensitive names. Adapters implement it as a view over their own header type
 * so that no copy is made per request; {@link #of} and {@link #builder} give a standalone implementation.
 */
public interface MeshHeaders {

  /** The first value of {@code name}, or null. */
  @Nullable String get(String name);

  /** Every value of {@code name}, in order; empty when absent. */
  List<String> getAll(String name);

  /** The header names present, lower-cased. */
  Set<String> names();

  /**
   * When these headers are another set of headers with some values set over them (what {@link MeshRequest#withHeader}
   * and {@link MeshRequest#withHeaders} return), those underlying headers; else null. With {@link #overlaid()}, it
   * lets an adapter apply only what the stages set (a trace header, say) to its own request instead of copying every
   * header on every attempt.
   */
  default @Nullable MeshHeaders overlayBase() {
    return null;
  }

  /** The values set over {@link #overlayBase()} (lower-case names, one value each); empty when it is null. */
  default Map<String, String> overlaid() {
    return Map.of();
  }

  /** No headers. */
  static MeshHeaders empty() {
    return Simple.EMPTY;
  }

  /** Headers from a map of single values. */
  static MeshHeaders of(Map<String, String> headers) {
    Builder b = builder();
    headers.forEach(b::add);
    return b.build();
  }

  static Builder builder() {
    return new Builder();
  }

  /** Builds {@link MeshHeaders}. */
  final class Builder {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Builder() {}

    /** Appends a value. */
    public Builder add(String name, String value) {
      values.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(value);
      return this;
    }

    /** Replaces every value of {@code name}. */
    public Builder set(String name, String value) {
      List<String> list = new ArrayList<>(1);
      list.add(value);
      values.put(name.toLowerCase(Locale.ROOT), list);
      return this;
    }

    /** Removes {@code name}. */
    public Builder remove(String name) {
      values.remove(name.toLowerCase(Locale.ROOT));
      return this;
    }

    /** Copies every header of {@code headers}. */
    public Builder addAll(MeshHeaders headers) {
      for (String name : headers.names()) {
        for (String v : headers.getAll(name)) {
          add(name, v);
        }
      }
      return this;
    }

    public MeshHeaders build() {
      Map<String, List<String>> copy = new LinkedHashMap<>();
      values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      return new Simple(Collections.unmodifiableMap(copy));
    }
  }

  /** The standalone implementation. */
  final class Simple implements MeshHeaders {
    static final Simple EMPTY = new Simple(Map.of());
    private final Map<String, List<String>> values;

    private Simple(Map<String, List<String>> values) {
      this.values = values;
    }

    @Override
    public @Nullable String get(String name) {
      List<String> v = values.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public List<String> getAll(String name) {
      List<String> v = values.get(name.toLowerCase(Locale.ROOT));
      return v == null ? List.of() : v;
    }

    @Override
    public Set<String> names() {
      return values.keySet();
    }

    @Override
    public String toString() {
      return values.toString();
    }
  }
}
