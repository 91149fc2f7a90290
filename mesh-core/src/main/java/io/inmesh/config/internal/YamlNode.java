package io.inmesh.config.internal;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A YAML value with the location it came from. The config binder works on this tree (not on Jackson's) so that every
 * problem, even one found long after parsing, can name its file, line and column.
 */
public sealed interface YamlNode {

  Location location();

  /** A short name of the node's kind for messages ("a map", "a list", "a string"...). */
  String kindName();

  /** A mapping; keys keep their document order. */
  record MapNode(Location location, Map<String, Entry> entries) implements YamlNode {
    /** Takes ownership of {@code entries} (the reader builds one map per node and never touches it again). */
    public MapNode {
      entries = java.util.Collections.unmodifiableMap(entries);
    }

    public @Nullable YamlNode get(String key) {
      Entry e = entries.get(key);
      return e == null ? null : e.value();
    }

    @Override
    public String kindName() {
      return "a map";
    }
  }

  /** One key of a mapping with the key's own location. */
  record Entry(String key, Location keyLocation, YamlNode value) {}

  /** A sequence. */
  record ListNode(Location location, List<YamlNode> items) implements YamlNode {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String kindName() {
      return "a list";
    }
  }

  /** The YAML type a plain scalar resolved to. */
  enum ScalarKind {
    STRING,
    INTEGER,
    FLOAT,
    BOOLEAN,
    NULL,
    /**
     * A value the reader already reported as wrong (an unset {@code ${VAR}}, say): the binder treats the field as
     * failed without reporting it again.
     */
    INVALID
  }

  /**
   * A scalar. {@code text} is the scalar as written (after environment substitution); {@code substituted} is true
   * when the text came from a {@code ${VAR}} reference, which makes a string acceptable where a number is expected.
   */
  record ScalarNode(Location location, @Nullable String text, ScalarKind kind, boolean substituted)
      implements YamlNode {
    @Override
    public String kindName() {
      return switch (kind) {
        case STRING -> "a string";
        case INTEGER -> "an integer";
        case FLOAT -> "a number";
        case BOOLEAN -> "a boolean";
        case NULL -> "null";
        case INVALID -> "an invalid value";
      };
    }

    public boolean isNull() {
      return kind == ScalarKind.NULL;
    }

    /** True when the reader already reported a problem with this value. */
    public boolean isInvalid() {
      return kind == ScalarKind.INVALID;
    }
  }
}
