package io.inmesh.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The last applied configuration, kept on local disk so that an application can start while its config server is
 * unreachable. Written atomically (a temporary file in the same directory, flushed to disk, then renamed over the
 * old one), so a crash mid-write leaves the previous copy intact. Owner-only permissions: a configuration may carry
 * credentials (exporter headers, for example).
 */
public final class LastGoodConfigStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  /**
   * A stored configuration.
   *
   * @param documents the documents as the source delivered them
   * @param version the snapshot version they were applied as
   * @param contentHash their hash
   * @param source where they came from
   * @param savedAt when they were stored
   */
  public record Stored(List<ConfigDocument> documents, long version, String contentHash, String source,
      Instant savedAt) {
    public Stored {
      documents = List.copyOf(documents);
    }
  }

  private LastGoodConfigStore(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  public static LastGoodConfigStore at(Path file) {
    return new LastGoodConfigStore(Objects.requireNonNull(file, "file"));
  }

  public Path file() {
    return file;
  }

  /** Stores {@code stored}, replacing the previous copy atomically. */
  public void save(Stored stored) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", 1);
    root.put("version", stored.version());
    root.put("contentHash", stored.contentHash());
    root.put("source", stored.source());
    root.put("savedAt", stored.savedAt().toString());
    ArrayNode docs = root.putArray("documents");
    for (ConfigDocument d : stored.documents()) {
      docs.addObject().put("origin", d.origin()).put("content", d.content());
    }
    Path dir = Objects.requireNonNull(file.getParent(), "parent of " + file);
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
        JSON.writeValue(nonClosing(out), root);
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The stored configuration, or empty when there is none; a corrupt file is an IOException. */
  public Optional<Stored> load() throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode root = JSON.readTree(file.toFile());
    if (root == null || root.path("format").asInt() != 1 || !root.path("documents").isArray()) {
      throw new IOException("not an InMesh last-good config file: " + file);
    }
    List<ConfigDocument> docs = new ArrayList<>();
    for (JsonNode d : root.path("documents")) {
      docs.add(new ConfigDocument(d.path("origin").asText(), d.path("content").asText()));
    }
    return Optional.of(new Stored(docs, root.path("version").asLong(), root.path("contentHash").asText(),
        root.path("source").asText(), Instant.parse(root.path("savedAt").asText())));
  }

  private static OutputStream nonClosing(OutputStream out) {
    // Jackson closes the stream it writes to; the channel must stay open for force().
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }
}
