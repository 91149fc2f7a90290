package io.inmesh.config;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Where a mesh's configuration text comes from: files, an HTTP server, etcd. A source only delivers text; parsing,
 * validation and the atomic swap are the mesh's, so every source gets the same rules (a bad change never replaces a
 * good configuration).
 *
 * <p>Lifecycle: {@link #read()} once at start-up (its failure fails the start), then {@link #watch} to be told about
 * changes from the source's own thread, then {@link #close()}.
 */
public interface ConfigSource extends Closeable {

  /** A short description for logs and the admin page ({@code file:/etc/mesh/mesh.yaml}). */
  String description();

  /**
   * The current documents, read synchronously.
   *
   * @throws IOException when the source cannot be read
   * @throws ConfigException when the source can be read but its content is unusable (an oversized file, bad UTF-8)
   */
  List<ConfigDocument> read() throws IOException;

  /**
   * Starts watching. The source calls {@code listener} from its own thread whenever the content may have changed
   * (calls with unchanged content are allowed: the mesh ignores content whose hash it has already seen).
   */
  void watch(Listener listener);

  /** Stops watching and releases the source's thread and handles. */
  @Override
  void close();

  /** Receives changes. */
  interface Listener {
    /** New content. */
    void onChange(List<ConfigDocument> documents);

    /** The source failed to read; the mesh keeps its current configuration. */
    void onError(Exception error);

    /** The source was reached and its content has not changed (a 304, an empty watch); optional to report. */
    default void onUnchanged() {}
  }
}
