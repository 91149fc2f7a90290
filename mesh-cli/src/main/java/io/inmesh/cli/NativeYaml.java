package io.inmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.internal.Default;
import io.inmesh.config.internal.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A configuration as native YAML: the records written field by field, leaving out what the loader would fill in
 * anyway (absent optional values, empty lists and maps, values equal to their {@link Default}), so that loading the
 * output gives back an equal configuration.
 */
final class NativeYaml {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final YAMLMapper MAPPER = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build();

  private NativeYaml() {}

  static String write(MeshConfig config) {
    try {
      return MAPPER.writeValueAsString(tree(config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tree of a value: a map for a record, a list, or a scalar; null for a value the loader would default. */
  private static @Nullable JsonNode tree(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Record record) {
      ObjectNode out = NODES.objectNode();
      for (RecordComponent c : record.getClass().getRecordComponents()) {
        Object v;
        try {
          v = c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
        JsonNode node = tree(v);
        if (node == null || node.isContainerNode() && node.isEmpty() && !nullable(c)
            || node.isArray() && node.isEmpty() || isDefault(c, node)) {
          continue; // the loader gives the same value back for a missing key
        }
        out.set(c.getName(), node);
      }
      return out;
    }
    if (value instanceof List<?> list) {
      ArrayNode out = NODES.arrayNode();
      list.forEach(item -> out.add(tree(item)));
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode out = NODES.objectNode();
      map.forEach((k, v) -> out.set(String.valueOf(k), tree(v) == null ? NODES.objectNode() : tree(v)));
      return out;
    }
    if (value instanceof Duration d) {
      return NODES.textNode(Durations.format(d));
    }
    if (value instanceof Enum<?> e) {
      return NODES.textNode(e.name());
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (value instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (value instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? NODES.numberNode((long) (double) d) : NODES.numberNode(d);
    }
    return NODES.textNode(String.valueOf(value));
  }

  private static boolean nullable(RecordComponent c) {
    return c.getAnnotatedType().isAnnotationPresent(Nullable.class) || c.isAnnotationPresent(Nullable.class);
  }

  /** True when {@code node} is what the component's {@link Default} (itself YAML) reads as. */
  private static boolean isDefault(RecordComponent c, JsonNode node) {
    Default d = c.getAnnotation(Default.class);
    if (d == null) {
      return false;
    }
    String literal = d.value().strip();
    if (!literal.startsWith("[") && !literal.startsWith("{")) {
      // A scalar: compared as written (YAML 1.1 would read OFF as a boolean, Jackson 2.5 as 2.50).
      String text = literal.startsWith("\"") ? literal.substring(1, literal.length() - 1) : literal;
      if (node.isNumber()) {
        try {
          return new java.math.BigDecimal(text).compareTo(node.decimalValue()) == 0;
        } catch (NumberFormatException e) {
          return false;
        }
      }
      return node.isValueNode() && node.asText().equals(text);
    }
    try {
      return same(c.getType(), node, MAPPER.readTree("v: " + literal).get("v"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * True when {@code node} (written without defaults) and {@code def} (a default as written, which may spell out
   * nested defaults) mean the same value of {@code type}.
   */
  private static boolean same(Class<?> type, JsonNode node, @Nullable JsonNode def) {
    if (def == null) {
      return false;
    }
    if (type.isRecord() && node.isObject() && def.isObject()) {
      for (RecordComponent c : type.getRecordComponents()) {
        JsonNode n = node.get(c.getName());
        JsonNode v = def.get(c.getName());
        if (n == null && v != null && !isDefault(c, v) || n != null && !same(c.getType(), n, v)) {
          return false;
        }
      }
      return true;
    }
    if (node.isNumber() && def.isNumber()) {
      return node.decimalValue().compareTo(def.decimalValue()) == 0;
    }
    return node.equals(def);
  }
}
