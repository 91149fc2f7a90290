package io.inmesh.inbound;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of normalising a path: the path authorization judges, or why it was refused (the request gets 400).
 *
 * @param path the normalised path (only unreserved characters decoded, others kept percent-encoded in upper case),
 *     or null when rejected
 * @param rejection why the path cannot be normalised unambiguously, or null
 */
public record NormalizedPath(@Nullable String path, @Nullable String rejection) {

  static NormalizedPath of(String path) {
    return new NormalizedPath(path, null);
  }

  static NormalizedPath reject(String reason) {
    return new NormalizedPath(null, reason);
  }

  public boolean rejected() {
    return rejection != null;
  }
}
