package io.inmesh.http.internal;

import io.inmesh.pipeline.MeshHeaders;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A view of a client's (case-insensitive) headers; the lower-cased name set is made only when asked for. */
abstract class HeadersView implements MeshHeaders {
  private @Nullable Set<String> names;

  /** The header names as the client holds them. */
  abstract Iterable<String> rawNames();

  @Override
  public final Set<String> names() {
    Set<String> n = names;
    if (n == null) {
      n = new LinkedHashSet<>();
      for (String name : rawNames()) {
        n.add(name.toLowerCase(Locale.ROOT));
      }
      names = n;
    }
    return n;
  }
}
