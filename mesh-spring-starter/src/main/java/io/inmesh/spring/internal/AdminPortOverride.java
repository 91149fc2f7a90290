package io.inmesh.spring.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A config source whose documents get {@code admin.port} replaced ({@code mesh.admin.port}): each instance of a fleet
 * sharing one file needs its own admin port. The mesh has no override of its own, so the text is rewritten, on every
 * read and change, such that every other line keeps its number (problems reported about the file still point at the
 * right line): the top-level {@code admin:} block is replaced by one line in flow style with the same fields and the
 * new port, followed by as many empty lines as the block had. When no document has an {@code admin} section, one
 * document holding only {@code admin: {port: N}} is added.
 */
public final class AdminPortOverride implements ConfigSource {
  private static final Pattern ADMIN_KEY = Pattern.compile("^admin\\s*:.*");
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConfigSource delegate;
  private final int port;

  public AdminPortOverride(ConfigSource delegate, int port) {
    this.delegate = delegate;
    this.port = port;
  }

  @Override
  public String description() {
    return delegate.description();
  }

  @Override
  public List<ConfigDocument> read() throws IOException {
    return override(delegate.read(), port);
  }

  @Override
  public void watch(Listener listener) {
    delegate.watch(new Listener() {
      @Override
      public void onChange(List<ConfigDocument> documents) {
        listener.onChange(override(documents, port));
      }

      @Override
      public void onError(Exception error) {
        listener.onError(error);
      }

      @Override
      public void onUnchanged() {
        listener.onUnchanged();
      }
    });
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** The documents with every top-level {@code admin} block's port replaced, or an admin document added. */
  static List<ConfigDocument> override(List<ConfigDocument> documents, int port) {
    List<ConfigDocument> out = new ArrayList<>(documents.size() + 1);
    boolean found = false;
    for (ConfigDocument d : documents) {
      String rewritten = rewrite(d.content(), port);
      found |= rewritten != null;
      out.add(rewritten == null ? d : new ConfigDocument(d.origin(), rewritten));
    }
    if (!found) {
      out.add(new ConfigDocument("spring property mesh.admin.port", "admin: {port: " + port + "}\n"));
    }
    return out;
  }

  /** The text with its top-level admin blocks rewritten, or null when it has none (or one that does not parse). */
  static @Nullable String rewrite(String content, int port) {
    String[] lines = content.split("\n", -1);
    StringBuilder out = new StringBuilder(content.length() + 32);
    boolean changed = false;
    int i = 0;
    while (i < lines.length) {
      if (!ADMIN_KEY.matcher(lines[i]).matches()) {
        append(out, lines[i], i, lines.length);
        i++;
        continue;
      }
      // A top-level block ends at the next line that starts in column 0 with content (a key, ---, a flow end).
      int end = i + 1;
      while (end < lines.length && (lines[end].isBlank() || lines[end].startsWith(" ") || lines[end].startsWith("\t")
          || lines[end].startsWith("#"))) {
        end++;
      }
      String flow = flowBlock(String.join("\n", java.util.Arrays.copyOfRange(lines, i, end)), port);
      if (flow == null) {
        for (int j = i; j < end; j++) {
          append(out, lines[j], j, lines.length);
        }
      } else {
        changed = true;
        append(out, flow, i, lines.length);
        for (int j = i + 1; j < end; j++) {
          append(out, "", j, lines.length);
        }
      }
      i = end;
    }
    return changed ? out.toString() : null;
  }

  private static void append(StringBuilder out, String line, int index, int count) {
    out.append(line);
    if (index < count - 1) {
      out.append('\n');
    }
  }

  /** {@code admin: {...}} on one line (JSON is YAML's flow style), or null when the block does not parse. */
  private static @Nullable String flowBlock(String block, int port) {
    try {
      JsonNode root = YAML.readTree(block);
      if (root == null || !root.isObject()) {
        return null;
      }
      JsonNode admin = root.get("admin");
      ObjectNode fields = admin instanceof ObjectNode o ? o : JSON.createObjectNode();
      if (admin != null && !admin.isObject() && !admin.isNull()) {
        return null; // not a mapping: leave it for the loader to report
      }
      fields.put("port", port);
      return "admin: " + JSON.writeValueAsString(fields);
    } catch (IOException e) {
      return null; // the loader reports the file's own syntax error, with its location
    }
  }
}
