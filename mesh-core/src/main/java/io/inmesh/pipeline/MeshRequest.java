package io.inmesh.pipeline;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A transport-neutral HTTP request as the pipelines see it. Adapters implement it as a view over their own request
 * type; {@link #builder()} gives a standalone implementation (tests, {@code mesh explain}).
 */
public interface MeshRequest {

  /** The method, upper case as sent ({@code GET}). */
  String method();

  /** {@code http} or {@code https}. */
  String scheme();

  /** The logical authority: the service host (and port) the application addressed, such as {@code api-service}. */
  String authority();

  /** The path, without query string or fragment, as sent (not decoded). */
  String path();

  /** The raw query string without {@code ?}, or null. */
  @Nullable String query();

  /** The request headers. */
  MeshHeaders headers();

  /** The host part of {@link #authority()}. */
  default String host() {
    String a = authority();
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      return close > 0 ? a.substring(0, close + 1) : a;
    }
    int colon = a.lastIndexOf(':');
    return colon < 0 ? a : a.substring(0, colon);
  }

  /** The first value of query parameter {@code name} (decoded), or null. */
  default @Nullable String queryParameter(String name) {
    String q = query();
    if (q == null || q.isEmpty()) {
      return null;
    }
    int start = 0;
    while (start <= q.length()) {
      int amp = q.indexOf('&', start);
      int end = amp < 0 ? q.length() : amp;
      int eq = q.indexOf('=', start);
      int keyEnd = eq < 0 || eq > end ? end : eq;
      if (decode(q.substring(start, keyEnd)).equals(name)) {
        return keyEnd == end ? "" : decode(q.substring(keyEnd + 1, end));
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return null;
  }

  /** This request with header {@code name} set to {@code value} (replacing its values), as a view: nothing copied. */
  default MeshRequest withHeader(String name, String value) {
    return new HeaderOverlay(this, Map.of(HeaderOverlay.lower(name), value));
  }

  /**
   * This request with the given headers set (replacing their values), as a view. The map's keys must be lower case
   * and it must not change afterwards.
   */
  default MeshRequest withHeaders(Map<String, String> lowerCaseHeaders) {
    return lowerCaseHeaders.isEmpty() ? this : new HeaderOverlay(this, lowerCaseHeaders);
  }

  /** This request with another path (a normalised or rewritten one), as a view. */
  default MeshRequest withPath(String path) {
    Objects.requireNonNull(path, "path");
    return new ForwardingMeshRequest(this) {
      @Override
      public String path() {
        return path;
      }
    };
  }

  private static String decode(String s) {
    try {
      return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  static Builder builder() {
    return new Builder();
  }

  /** Builds a standalone {@link MeshRequest}. */
  final class Builder {
    private String method = "GET";
    private String scheme = "http";
    private String authority = "localhost";
    private String path = "/";
    private @Nullable String query;
    private MeshHeaders headers = MeshHeaders.empty();

    private Builder() {}

    public Builder method(String method) {
      this.method = Objects.requireNonNull(method);
      return this;
    }

    public Builder scheme(String scheme) {
      this.scheme = Objects.requireNonNull(scheme);
      return this;
    }

    public Builder authority(String authority) {
      this.authority = Objects.requireNonNull(authority);
      return this;
    }

    /** Sets path and query from a request target such as {@code /api/users?id=1}. */
    public Builder target(String target) {
      int q = target.indexOf('?');
      this.path = q < 0 ? target : target.substring(0, q);
      this.query = q < 0 ? null : target.substring(q + 1);
      return this;
    }

    public Builder path(String path) {
      this.path = Objects.requireNonNull(path);
      return this;
    }

    public Builder query(@Nullable String query) {
      this.query = query;
      return this;
    }

    public Builder headers(MeshHeaders headers) {
      this.headers = Objects.requireNonNull(headers);
      return this;
    }

    public MeshRequest build() {
      return new SimpleRequest(method, scheme, authority, path, query, headers);
    }
  }

  /** The standalone implementation. */
  record SimpleRequest(
      String method, String scheme, String authority, String path, @Nullable String query, MeshHeaders headers)
      implements MeshRequest {}
}
