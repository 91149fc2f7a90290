package io.inmesh.http.internal;

import io.inmesh.pipeline.MeshHeaders;
import java.util.List;
import okhttp3.Headers;
import org.jspecify.annotations.Nullable;

/** A view of OkHttp {@link Headers} (already case-insensitive): no copy per request. */
final class OkHttpMeshHeaders extends HeadersView {
  private final Headers headers;

  OkHttpMeshHeaders(Headers headers) {
    this.headers = headers;
  }

  Headers headers() {
    return headers;
  }

  @Override
  public @Nullable String get(String name) {
    return headers.get(name);
  }

  @Override
  public List<String> getAll(String name) {
    return headers.values(name);
  }

  @Override
  Iterable<String> rawNames() {
    return headers.names();
  }

  /** OkHttp headers with every value of {@code headers} (the same object when it is a view of OkHttp's). */
  static Headers toOkHttp(MeshHeaders headers) {
    if (headers instanceof OkHttpMeshHeaders view) {
      return view.headers;
    }
    Headers.Builder b = new Headers.Builder();
    for (String name : headers.names()) {
      for (String value : headers.getAll(name)) {
        b.addUnsafeNonAscii(name, value); // values came from a request or the config: keep them as they are
      }
    }
    return b.build();
  }
}
