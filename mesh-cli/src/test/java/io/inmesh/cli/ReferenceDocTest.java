package io.inmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.LoadedConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.internal.Default;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/mesh-reference.yaml} true: it must load, document every field of every config record with a
 * {@code # default: X. meaning} comment, and state the defaults the model actually has.
 *
 * <p>A record type used in several places (a {@code TrafficPolicy} of a service or of a subset, a {@code StringMatch}
 * of a URI or of a header) is documented once: each of its fields must appear, commented, under at least one of the
 * paths where the type is used. A comment sits on the line above the key (or above the {@code -} of a list item whose
 * first key it is), or at the end of the key's own line.
 */
class ReferenceDocTest {
  private static final Path REFERENCE = Path.of("../docs/mesh-reference.yaml");
  private static final Pattern SAME_LINE_COMMENT = Pattern.compile("\\s#\\s*(default:.*)$");
  private static final Pattern COMMENT_LINE = Pattern.compile("^\\s*#\\s?(.*)$");

  /** A field of a config record. */
  record Field(Class<?> owner, String name) {
    RecordComponent component() {
      for (RecordComponent c : owner.getRecordComponents()) {
        if (c.getName().equals(name)) {
          return c;
        }
      }
      throw new IllegalStateException(name);
    }

    @Override
    public String toString() {
      return typeName(owner) + "." + name;
    }
  }

  /** One place the reference writes a field: its path, line, and the default and meaning its comment states. */
  record Use(String path, int line, @Nullable String statedDefault, String meaning) {}

  private static List<String> lines = List.of();
  private static Map<Field, List<Use>> uses = Map.of();

  @BeforeAll
  static void readReference() throws IOException {
    String text = Files.readString(REFERENCE);
    lines = text.lines().toList();
    Map<Field, List<Use>> found = new LinkedHashMap<>();
    document(parse(text), MeshConfig.class, "", found);
    uses = found;
  }

  @Test
  void referenceLoadsWithoutErrorsOrWarnings() {
    LoadedConfig loaded = ConfigLoader.withEnvironment(name -> null).load(List.of(REFERENCE));

    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void referenceDocumentsEveryFieldOfTheModelWithADefaultComment() {
    List<String> undocumented = new ArrayList<>();
    for (Map.Entry<Class<?>, List<String>> type : recordTypes().entrySet()) {
      for (RecordComponent c : type.getKey().getRecordComponents()) {
        Field field = new Field(type.getKey(), c.getName());
        List<Use> written = uses.getOrDefault(field, List.of());
        if (written.stream().noneMatch(u -> u.statedDefault() != null)) {
          undocumented.add(field + (written.isEmpty() ? " is missing" : " has no '# default: X. meaning' comment")
              + ": write '" + c.getName() + "' with '# default: " + expectedDefault(c) + ". <meaning>' under "
              + (type.getValue().size() == 1 ? "" : "one of ") + String.join(", ", type.getValue()));
        }
      }
    }

    assertThat(undocumented).as("fields missing from %s", REFERENCE).isEmpty();
  }

  @Test
  void everyDefaultCommentStatesTheModelsDefault() {
    List<String> wrong = new ArrayList<>();
    uses.forEach((field, list) -> {
      String expected = expectedDefault(field.component());
      for (Use use : list) {
        if (use.statedDefault() == null) {
          continue;
        }
        boolean ok = expected.equals("unset") ? use.statedDefault().startsWith("unset")
            : use.statedDefault().equals(expected);
        if (!ok) {
          wrong.add(REFERENCE + ":" + use.line() + ": " + use.path() + ": '# default: " + use.statedDefault()
              + "' (expected: '# default: " + expected + "')");
        }
        if (use.meaning().isBlank()) {
          wrong.add(REFERENCE + ":" + use.line() + ": " + use.path() + ": no meaning after the default");
        }
      }
    });

    assertThat(wrong).isEmpty();
  }

  // ---------------------------------------------------------------- the model

  /**
   * What a missing key means, in the words of the reference: the {@code @Default} YAML; {@code unset} for a nullable
   * field; {@code []} or {@code {}} for an empty list or map, or for a record built from its own defaults;
   * {@code required} for a field without which the configuration is rejected.
   */
  static String expectedDefault(RecordComponent c) {
    Default d = c.getAnnotation(Default.class);
    if (d != null) {
      return d.value();
    }
    if (c.getAnnotatedType().isAnnotationPresent(Nullable.class) || c.isAnnotationPresent(Nullable.class)) {
      return "unset";
    }
    if (c.getType() == List.class) {
      return "[]";
    }
    if (c.getType() == Map.class) {
      return "{}";
    }
    if (c.getType().isRecord()) {
      return buildableFromDefaults(c.getType()) ? "{}" : "required";
    }
    return "required";
  }

  private static boolean buildableFromDefaults(Class<?> record) {
    for (RecordComponent c : record.getRecordComponents()) {
      if (expectedDefault(c).equals("required")) {
        return false;
      }
    }
    return true;
  }

  /** Every record type reachable from {@link MeshConfig}, with the field paths where it is used. */
  static Map<Class<?>, List<String>> recordTypes() {
    Map<Class<?>, List<String>> types = new LinkedHashMap<>();
    visit(MeshConfig.class, "", types, new ArrayList<>());
    return types;
  }

  private static void visit(Type type, String path, Map<Class<?>, List<String>> types, List<Class<?>> ancestors) {
    Class<?> raw = raw(type);
    if (raw == List.class) {
      visit(typeArgument(type, 0), path, types, ancestors);
    } else if (raw == Map.class) {
      visit(typeArgument(type, 1), path + ".*", types, ancestors);
    } else if (raw.isRecord() && !ancestors.contains(raw)) {
      types.computeIfAbsent(raw, k -> new ArrayList<>()).add(path.isEmpty() ? "the top level" : path);
      ancestors.add(raw);
      for (RecordComponent c : raw.getRecordComponents()) {
        visit(c.getGenericType(), join(path, c.getName()), types, ancestors);
      }
      ancestors.remove(ancestors.size() - 1);
    }
  }

  // ---------------------------------------------------------------- the reference document

  /** Walks the YAML tree along the model's types, recording each key that names a record field. */
  private static void document(Node node, Type type, String path, Map<Field, List<Use>> found) {
    Class<?> raw = raw(type);
    if (raw == List.class && node instanceof ListNode list) {
      list.items().forEach(item -> document(item, typeArgument(type, 0), path, found));
    } else if (raw == Map.class && node instanceof MapNode map) {
      map.entries().forEach(e -> document(e.value(), typeArgument(type, 1), path + ".*", found));
    } else if (raw.isRecord() && node instanceof MapNode map) {
      for (Entry e : map.entries()) {
        Field field = new Field(raw, e.key());
        String fieldPath = join(path, e.key());
        boolean known = false;
        for (RecordComponent c : raw.getRecordComponents()) {
          if (c.getName().equals(e.key())) {
            known = true;
            document(e.value(), c.getGenericType(), fieldPath, found);
          }
        }
        if (known) {
          found.computeIfAbsent(field, k -> new ArrayList<>()).add(use(fieldPath, e.line(), e.column()));
        }
      }
    }
  }

  /**
   * The {@code # default: X. meaning} comment of the key at {@code line} and {@code column}: at the end of the line, or
   * in the comment lines above. Only a key that starts its line (after the {@code -} of a list item) has one: the
   * keys of a flow map {@code {a: 1, b: 2}} share their line, and its comment, with the key that holds the map.
   */
  private static Use use(String path, int line, int column) {
    String keyLine = lines.get(line - 1);
    List<String> comment = new ArrayList<>();
    if (!keyLine.substring(0, Math.min(keyLine.length(), column - 1)).matches("[\\s-]*")) {
      return new Use(path, line, null, "");
    }
    Matcher sameLine = SAME_LINE_COMMENT.matcher(keyLine);
    if (sameLine.find()) {
      comment.add(sameLine.group(1));
    } else {
      int first = line - 1;
      while (first > 0 && COMMENT_LINE.matcher(lines.get(first - 1)).matches()) {
        first--;
      }
      int start = -1;
      for (int i = first; i < line - 1; i++) {
        Matcher m = COMMENT_LINE.matcher(lines.get(i));
        if (m.matches() && m.group(1).startsWith("default:")) {
          start = i; // the last default: line of the block, followed by its continuation lines
        }
      }
      for (int i = start; start >= 0 && i < line - 1; i++) {
        Matcher m = COMMENT_LINE.matcher(lines.get(i));
        comment.add(m.matches() ? m.group(1).strip() : "");
      }
    }
    if (comment.isEmpty()) {
      return new Use(path, line, null, "");
    }
    String text = String.join(" ", comment).substring("default:".length()).strip();
    int end = text.indexOf(". ");
    if (end < 0) {
      end = text.endsWith(".") ? text.length() - 1 : text.length();
    }
    return new Use(path, line, text.substring(0, end).strip(), text.substring(Math.min(text.length(), end + 1)));
  }

  // A small located YAML tree: Jackson's JsonNode forgets the lines that the comments are found by.

  sealed interface Node {}

  record MapNode(List<Entry> entries) implements Node {}

  record Entry(String key, int line, int column, Node value) {}

  record ListNode(List<Node> items) implements Node {}

  record ScalarNode(@Nullable String text) implements Node {}

  private static Node parse(String text) throws IOException {
    try (YAMLParser parser = (YAMLParser) new YAMLFactory().createParser(text)) {
      return read(parser, Objects.requireNonNull(parser.nextToken(), "empty reference"));
    }
  }

  private static Node read(YAMLParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        List<Entry> entries = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          JsonLocation at = parser.currentTokenLocation();
          entries.add(new Entry(key, at.getLineNr(), at.getColumnNr(), read(parser, parser.nextToken())));
        }
        return new MapNode(entries);
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(parser, t));
        }
        return new ListNode(items);
      }
      default -> {
        return new ScalarNode(token == JsonToken.VALUE_NULL ? null : parser.getText());
      }
    }
  }

  // ---------------------------------------------------------------- reflection helpers

  private static Class<?> raw(Type type) {
    return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
  }

  private static Type typeArgument(Type type, int index) {
    return ((ParameterizedType) type).getActualTypeArguments()[index];
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String typeName(Class<?> type) {
    return type.getName().substring(type.getPackageName().length() + 1).replace('$', '.');
  }
}
