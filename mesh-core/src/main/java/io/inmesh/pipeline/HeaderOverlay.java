package io.inmesh.pipeline;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A request with some headers set over its delegate's (replacing any value of the same names) without copying the
 * others: what the trace, attempt and deadline headers need on every attempt.
 */
final class HeaderOverlay extends ForwardingMeshRequest implements MeshHeaders {
  private final Map<String, String> set; // lower-case names
  private @Nullable Set<String> names;

  HeaderOverlay(MeshRequest delegate, Map<String, String> lowerCaseSet) {
    super(delegate);
    this.set = lowerCaseSet;
  }

  @Override
  public MeshHeaders headers() {
    return this;
  }

  @Override
  public @Nullable String get(String name) {
    String v = set.get(lower(name));
    return v != null ? v : delegate().headers().get(name);
  }

  @Override
  public List<String> getAll(String name) {
    String v = set.get(lower(name));
    return v != null ? List.of(v) : delegate().headers().getAll(name);
  }

  @Override
  public Set<String> names() {
    Set<String> n = names;
    if (n == null) {
      Set<String> all = new LinkedHashSet<>(delegate().headers().names());
      all.addAll(set.keySet());
      names = n = Set.copyOf(all);
    }
    return n;
  }

  @Override
  public MeshHeaders overlayBase() {
    return delegate().headers();
  }

  @Override
  public Map<String, String> overlaid() {
    return set;
  }

  /** Header names are usually lower case already (HTTP/2 requires it); avoid the copy then. */
  static String lower(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return name.toLowerCase(Locale.ROOT);
      }
    }
    return name;
  }

  @Override
  public String toString() {
    return super.toString() + " +" + set.keySet();
  }
}
