package io.inmesh.config.internal;

import io.inmesh.config.internal.YamlNode.Entry;
import io.inmesh.config.internal.YamlNode.ListNode;
import io.inmesh.config.internal.YamlNode.MapNode;
import io.inmesh.config.internal.YamlNode.ScalarKind;
import io.inmesh.config.internal.YamlNode.ScalarNode;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Binds located YAML trees to the config records, strictly, reporting every problem instead of stopping at the first.
 *
 * <p>Each record component maps to the YAML key of the same name. A missing key takes the component's
 * {@link Default}; without one, a {@link Nullable} component is null, a list or map is empty, a record is bound from an
 * empty map (so its own defaults apply), and anything else is a "missing required field" error. Unknown keys, wrong
 * types and values a record's compact constructor refuses are errors at the offending node.
 *
 * <p>The binder remembers where each record came from ({@link #origin}), so that the semantic validation that runs
 * after binding can still point at a file, line and column.
 */
public final class RecordBinder {

  /** Where a bound record came from: its field path and its YAML map (null for records built from defaults). */
  public record Origin(String path, Location location, @Nullable MapNode node) {
    /** The location of one of this record's fields, or of the record itself when the field was not written. */
    public Location fieldLocation(String field) {
      if (node == null) {
        return location;
      }
      Entry e = node.entries().get(field);
      return e == null ? location : e.value().location();
    }

    /** The location of element {@code index} of a list field, falling back to the field. */
    public Location elementLocation(String field, int index) {
      if (node != null && node.get(field) instanceof ListNode list && index < list.items().size()) {
        return list.items().get(index).location();
      }
      return fieldLocation(field);
    }

    /** The location of the key {@code key} of a map field, falling back to the field. */
    public Location keyLocation(String field, String key) {
      if (node != null && node.get(field) instanceof MapNode map && map.entries().containsKey(key)) {
        return map.entries().get(key).keyLocation();
      }
      return fieldLocation(field);
    }

    public String child(String field) {
      return path.isEmpty() ? field : path + "." + field;
    }
  }

  private static final Map<Class<?>, RecordComponent[]> COMPONENTS = new ConcurrentHashMap<>();
  // Reflection is cached per record type: a 10,000-service file binds hundreds of thousands of records.
  private static final ClassValue<Map<String, RecordComponent>> BY_NAME = new ClassValue<>() {
    @Override
    protected Map<String, RecordComponent> computeValue(Class<?> type) {
      Map<String, RecordComponent> byName = new LinkedHashMap<>();
      for (RecordComponent c : components(type)) {
        byName.put(c.getName(), c);
      }
      return java.util.Collections.unmodifiableMap(byName);
    }
  };
  private static final ClassValue<Constructor<?>> CONSTRUCTORS = new ClassValue<>() {
    @Override
    protected Constructor<?> computeValue(Class<?> type) {
      try {
        return canonicalConstructor(type, components(type));
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException("no canonical constructor for " + type.getName(), e);
      }
    }
  };
  private static final Map<RecordComponent, Boolean> NULLABLE = new ConcurrentHashMap<>();
  private static final Map<String, YamlNode> DEFAULT_NODES = new ConcurrentHashMap<>();
  private static final Map<Class<?>, Boolean> BINDS_FROM_EMPTY = new ConcurrentHashMap<>();
  private static final Object FAILED = new Object();

  private final Problems problems;
  private final Map<Object, Origin> origins = new IdentityHashMap<>();
  /** Per document (its root node), the paths of values that did not bind: see {@link #failed}. */
  private final Map<YamlNode, Set<String>> failedPaths = new IdentityHashMap<>();
  private final Map<Object, YamlNode> roots = new IdentityHashMap<>();
  private final Map<String, List<YamlNode>> dropped = new LinkedHashMap<>();
  private @Nullable YamlNode root;

  public RecordBinder(Problems problems) {
    this.problems = problems;
  }

  /** Where {@code record} (bound by this binder) came from, or null for objects this binder did not bind. */
  public @Nullable Origin origin(Object record) {
    return origins.get(record);
  }

  /**
   * True when a value at {@code path} (a path in the document {@code record} was bound from), or inside it, did not
   * bind. Such a value was reported and replaced by its default (or left out of its list), so a semantic check of it
   * would report a consequence of the same mistake.
   */
  public boolean failed(Object record, String path) {
    YamlNode document = roots.get(record);
    if (document == null) {
      return false;
    }
    for (String f : failedPaths.getOrDefault(document, Set.of())) {
      if (within(f, path)) {
        return true;
      }
    }
    return false;
  }

  /** The YAML of the elements of the list at {@code listPath} that did not bind and were left out, in any document. */
  public List<YamlNode> dropped(String listPath) {
    return dropped.getOrDefault(listPath, List.of());
  }

  private static boolean within(String candidate, String path) {
    if (path.isEmpty()) {
      return false; // document-level checks are not a field's consequence
    }
    return candidate.startsWith(path) && (candidate.length() == path.length()
        || candidate.charAt(path.length()) == '.' || candidate.charAt(path.length()) == '[');
  }

  /** Binds {@code node} to {@code type}; returns null when the node had errors (they are in the problems). */
  public <T> @Nullable T bind(YamlNode node, Class<T> type, String path) {
    YamlNode previous = root;
    root = node;
    try {
      Object value = bindValue(node, type, path, null);
      return value == FAILED ? null : type.cast(value);
    } finally {
      root = previous;
    }
  }

  private void markFailed(String path) {
    if (root != null) {
      failedPaths.computeIfAbsent(root, r -> new HashSet<>()).add(path);
    }
  }

  private @Nullable Object bindValue(YamlNode node, Type type, String path, @Nullable AnnotatedElement annotations) {
    if (node instanceof ScalarNode s && s.isInvalid()) {
      markFailed(path); // the reader reported it (an unset ${VAR}, say)
      return FAILED;
    }
    Class<?> raw = rawClass(type);
    if (raw.isRecord()) {
      return bindRecord(node, raw, path);
    }
    if (raw == List.class) {
      return bindList(node, elementType(type, 0), path, annotations);
    }
    if (raw == Map.class) {
      return bindMap(node, elementType(type, 0), elementType(type, 1), path);
    }
    if (!(node instanceof ScalarNode scalar)) {
      return fail(node, path, "expected " + describe(raw) + ", got " + node.kindName(), null);
    }
    return bindScalar(scalar, raw, path);
  }

  private Object bindRecord(YamlNode node, Class<?> type, String path) {
    if (!(node instanceof MapNode map)) {
      return fail(node, path, "expected a map, got " + node.kindName(), fieldList(type));
    }
    RecordComponent[] components = components(type);
    Map<String, RecordComponent> byName = BY_NAME.get(type);
    Set<String> suggested = new HashSet<>();
    for (Entry e : map.entries().values()) {
      if (!byName.containsKey(e.key())) {
        String suggestion = closest(e.key(), byName.keySet());
        if (suggestion != null) {
          suggested.add(suggestion);
        }
        problems.error(e.keyLocation(), childPath(path, e.key()),
            "unknown field '" + e.key() + "'" + (suggestion == null ? "" : ", did you mean '" + suggestion + "'?"),
            "one of " + String.join(", ", byName.keySet()));
      }
    }
    // A field that fails to bind is reported and replaced by its default, so that the record still exists and the
    // semantic checks can report the rest of the file in the same run. Only a failed required field drops the record.
    boolean failed = false;
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      YamlNode value = map.get(c.getName());
      String childPath = childPath(path, c.getName());
      Object bound;
      if (value == null) {
        // A misspelt required field is reported once, as the unknown field with its "did you mean".
        bound = missing(c, map, childPath, !suggested.contains(c.getName()));
      } else if (value instanceof ScalarNode s && s.isNull()) {
        // `name:` with nothing after it: the default applies, and a required field is reported at the empty value.
        bound = missing(c, map, childPath, false);
        if (bound == FAILED) {
          fail(value, childPath, "missing value for required field '" + c.getName() + "'",
              c.getType().isRecord() ? fieldList(c.getType()) : describe(c.getType()));
        }
      } else {
        bound = bindValue(value, c.getGenericType(), childPath, c);
        if (bound == FAILED) {
          bound = missing(c, map, childPath, false);
        }
      }
      if (bound == FAILED) {
        failed = true;
      } else {
        args[i] = bound;
      }
    }
    if (failed) {
      return FAILED;
    }
    try {
      Object record = CONSTRUCTORS.get(type).newInstance(args);
      origins.put(record, new Origin(path, map.location(), map));
      if (root != null) {
        roots.put(record, root);
      }
      return record;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        return fail(map, path, iae.getMessage(), null);
      }
      throw new IllegalStateException("cannot build " + type.getName(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getName(), e);
    }
  }

  private @Nullable Object missing(RecordComponent c, MapNode parent, String path, boolean report) {
    Default def = c.getAnnotation(Default.class);
    if (def != null) {
      Object value = bindValue(defaultNode(def.value()), c.getGenericType(), path, c);
      if (value == FAILED) {
        throw new IllegalStateException("bad @Default(\"" + def.value() + "\") on " + path);
      }
      return value;
    }
    if (isNullable(c)) {
      return null;
    }
    Class<?> raw = c.getType();
    if (raw == List.class) {
      return List.of();
    }
    if (raw == Map.class) {
      return Map.of();
    }
    if (raw.isRecord() && bindsFromEmptyMap(raw)) {
      MapNode empty = new MapNode(parent.location(), Map.of());
      return bindRecord(empty, raw, path);
    }
    if (report) {
      return fail(parent, path, "missing required field '" + c.getName() + "'",
          raw.isRecord() ? fieldList(raw) : describe(raw));
    }
    markFailed(path);
    return FAILED;
  }

  /**
   * True when every component of {@code type} may be left out: it has a default, is nullable, is a collection, or is
   * such a record.
   */
  private static boolean bindsFromEmptyMap(Class<?> type) {
    Boolean known = BINDS_FROM_EMPTY.get(type);
    if (known != null) {
      return known;
    }
    boolean result = true;
    for (RecordComponent c : components(type)) {
      Class<?> raw = c.getType();
      boolean optional = c.isAnnotationPresent(Default.class) || isNullable(c) || raw == List.class
          || raw == Map.class || (raw.isRecord() && raw != type && bindsFromEmptyMap(raw));
      if (!optional) {
        result = false;
        break;
      }
    }
    BINDS_FROM_EMPTY.put(type, result);
    return result;
  }

  private void drop(String listPath, YamlNode item) {
    dropped.computeIfAbsent(listPath, p -> new ArrayList<>()).add(item);
  }

  private Object bindList(YamlNode node, Type elementType, String path, @Nullable AnnotatedElement annotations) {
    if (node instanceof ScalarNode scalar
        && annotations != null
        && annotations.isAnnotationPresent(CommaSeparated.class)
        && scalar.kind() == ScalarKind.STRING) {
      List<Object> out = new ArrayList<>();
      for (String part : scalar.text().split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
      return List.copyOf(out);
    }
    if (!(node instanceof ListNode list)) {
      return fail(node, path, "expected a list, got " + node.kindName(),
          annotations != null && annotations.isAnnotationPresent(CommaSeparated.class)
              ? "a list or a comma-separated string" : null);
    }
    List<Object> out = new ArrayList<>(list.items().size());
    boolean anyFailed = false;
    for (int i = 0; i < list.items().size(); i++) {
      YamlNode item = list.items().get(i);
      String itemPath = path + "[" + i + "]";
      if (item instanceof ScalarNode s && s.isNull()) {
        fail(item, itemPath, "empty list element", rawClass(elementType).isRecord()
            ? fieldList(rawClass(elementType)) : describe(rawClass(elementType)));
        drop(path, item);
        anyFailed = true;
        continue;
      }
      Object value = bindValue(item, elementType, itemPath, null);
      if (value != FAILED) {
        out.add(value); // a failed element is reported and left out; its siblings are still checked
      } else {
        markFailed(itemPath);
        drop(path, item);
        anyFailed = true;
      }
    }
    if (anyFailed && !rawClass(elementType).isRecord()) {
      // Without an element, the semantic checks would see the others at shifted indexes, and so report them at the
      // wrong line. A record keeps its own location, so a list of records keeps its good elements.
      return FAILED;
    }
    return Collections.unmodifiableList(out);
  }

  private Object bindMap(YamlNode node, Type keyType, Type valueType, String path) {
    if (!(node instanceof MapNode map)) {
      return fail(node, path, "expected a map, got " + node.kindName(), null);
    }
    Map<Object, Object> out = new LinkedHashMap<>();
    for (Entry e : map.entries().values()) {
      String entryPath = childPath(path, e.key());
      Object key = e.key();
      if (keyType == Integer.class) {
        try {
          key = Integer.valueOf(e.key());
        } catch (NumberFormatException nfe) {
          fail(e.keyLocation(), entryPath, "key '" + e.key() + "' is not a number", "an integer key");
          continue;
        }
      }
      YamlNode v = e.value();
      Object value;
      if (v instanceof ScalarNode s && s.isNull()) {
        // `headers: {x-user: }` in a match means "present": bind the value type from an empty map.
        value = rawClass(valueType).isRecord() ? bindRecord(new MapNode(v.location(), Map.of()),
            rawClass(valueType), entryPath) : fail(v, entryPath, "missing value", describe(rawClass(valueType)));
      } else {
        value = bindValue(v, valueType, entryPath, null);
      }
      if (value != FAILED) {
        out.put(key, value);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private Object bindScalar(ScalarNode scalar, Class<?> type, String path) {
    String text = scalar.text();
    ScalarKind kind = scalar.kind();
    if (kind == ScalarKind.NULL || text == null) {
      return fail(scalar, path, "missing value", describe(type));
    }
    if (type == String.class) {
      return text;
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      if (kind != ScalarKind.INTEGER && !scalar.substituted()) {
        return fail(scalar, path, "wrong type: " + quote(scalar) + " is " + scalar.kindName(),
            withoutQuotes(scalar, "an integer", "-?[0-9]+"));
      }
      try {
        long value = Long.parseLong(text.strip().replace("_", ""));
        if ((type == int.class || type == Integer.class) && (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE)) {
          return fail(scalar, path, text + " is out of range", "an integer between " + Integer.MIN_VALUE + " and "
              + Integer.MAX_VALUE);
        }
        return type == int.class || type == Integer.class ? (Object) (int) value : (Object) value;
      } catch (NumberFormatException e) {
        return fail(scalar, path, "'" + text + "' is not an integer", "an integer");
      }
    }
    if (type == double.class || type == Double.class) {
      if (kind != ScalarKind.INTEGER && kind != ScalarKind.FLOAT && !scalar.substituted()) {
        return fail(scalar, path, "wrong type: " + quote(scalar) + " is " + scalar.kindName(),
            withoutQuotes(scalar, "a number", "-?[0-9]+(\\.[0-9]+)?"));
      }
      try {
        double d = Double.parseDouble(text.strip());
        if (!Double.isFinite(d)) {
          return fail(scalar, path, "'" + text + "' is not a finite number", "a number");
        }
        return d;
      } catch (NumberFormatException e) {
        return fail(scalar, path, "'" + text + "' is not a number", "a number");
      }
    }
    if (type == boolean.class || type == Boolean.class) {
      if (kind == ScalarKind.BOOLEAN || scalar.substituted()) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
          return Boolean.valueOf(t);
        }
        // YAML 1.1 spellings (yes, no, on, off) that Jackson reads as booleans: refused, as YAML 1.2 does.
        return fail(scalar, path, "'" + text + "' is not a boolean", "true or false");
      }
      return fail(scalar, path, "wrong type: " + quote(scalar) + " is " + scalar.kindName(),
          withoutQuotes(scalar, "true or false", "true|false"));
    }
    if (type == Duration.class) {
      if (kind == ScalarKind.INTEGER && text.strip().equals("0")) {
        return Duration.ZERO; // as Go and Istio: 0 needs no unit
      }
      if (kind == ScalarKind.INTEGER || kind == ScalarKind.FLOAT) {
        return fail(scalar, path, "'" + text + "' is not a duration: missing unit", Durations.EXPECTED);
      }
      if (kind != ScalarKind.STRING) {
        return fail(scalar, path, "wrong type: " + quote(scalar) + " is " + scalar.kindName(), Durations.EXPECTED);
      }
      try {
        return Durations.parse(text);
      } catch (IllegalArgumentException e) {
        return fail(scalar, path, "'" + text + "' is not a duration: " + e.getMessage(), Durations.EXPECTED);
      }
    }
    if (type.isEnum()) {
      for (Object constant : type.getEnumConstants()) {
        if (((Enum<?>) constant).name().equals(text)) {
          return constant;
        }
      }
      String hint = "";
      String normalized = text.strip().replace('-', '_').replace(' ', '_');
      for (Object constant : type.getEnumConstants()) {
        if (((Enum<?>) constant).name().equalsIgnoreCase(normalized)) {
          hint = ", did you mean '" + ((Enum<?>) constant).name() + "'?";
        }
      }
      return fail(scalar, path, "unknown value '" + text + "'" + hint, "one of " + enumNames(type));
    }
    Method parse = parseMethod(type);
    if (parse != null) {
      try {
        return parse.invoke(null, text);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof IllegalArgumentException iae) {
          return fail(scalar, path, iae.getMessage(), null);
        }
        throw new IllegalStateException(e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("no binding for " + type.getName() + " at " + path);
  }

  private Object fail(YamlNode node, String path, String message, @Nullable String expected) {
    return fail(node.location(), path, message, expected);
  }

  private Object fail(Location at, String path, String message, @Nullable String expected) {
    problems.error(at, path, message, expected);
    markFailed(path);
    return FAILED;
  }

  /** The expectation, with a hint to drop the quotes when the string would be right without them. */
  private static String withoutQuotes(ScalarNode s, String expected, String unquotedPattern) {
    return s.kind() == ScalarKind.STRING && s.text() != null && s.text().strip().matches(unquotedPattern)
        ? expected + ", written without quotes" : expected;
  }

  private static String quote(ScalarNode s) {
    return s.kind() == ScalarKind.STRING ? "\"" + s.text() + "\"" : String.valueOf(s.text());
  }

  private static YamlNode defaultNode(String yaml) {
    return DEFAULT_NODES.computeIfAbsent(yaml, y -> {
      Problems p = new Problems();
      List<YamlNode> docs = new YamlReader(name -> null, 4096).read("<default>", "v: " + y, p);
      if (p.hasErrors() || docs.size() != 1 || !(docs.get(0) instanceof MapNode m) || m.get("v") == null) {
        throw new IllegalStateException("bad @Default(\"" + y + "\")");
      }
      return m.get("v");
    });
  }

  private static RecordComponent[] components(Class<?> type) {
    return COMPONENTS.computeIfAbsent(type, Class::getRecordComponents);
  }

  private static Constructor<?> canonicalConstructor(Class<?> type, RecordComponent[] components)
      throws NoSuchMethodException {
    Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
    Constructor<?> c = type.getDeclaredConstructor(types);
    c.setAccessible(true);
    return c;
  }

  private static boolean isNullable(RecordComponent c) {
    return NULLABLE.computeIfAbsent(c, RecordBinder::nullableAnnotated);
  }

  private static boolean nullableAnnotated(RecordComponent c) {
    return c.getAnnotatedType().isAnnotationPresent(Nullable.class) || c.isAnnotationPresent(Nullable.class);
  }


  private static @Nullable Method parseMethod(Class<?> type) {
    try {
      Method m = type.getMethod("parse", String.class);
      return Modifier.isStatic(m.getModifiers()) && m.getReturnType() == type ? m : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalStateException("unsupported config type " + type);
  }

  private static Type elementType(Type type, int index) {
    if (type instanceof ParameterizedType p) {
      return p.getActualTypeArguments()[index];
    }
    throw new IllegalStateException("raw collection type " + type);
  }

  private static String describe(Class<?> type) {
    if (type == String.class) {
      return "a string";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == Duration.class) {
      return Durations.EXPECTED;
    }
    if (type.isEnum()) {
      return "one of " + enumNames(type);
    }
    if (type.isRecord()) {
      return "a map";
    }
    if (type == List.class) {
      return "a list";
    }
    return "a " + simpleName(type);
  }

  private static String fieldList(Class<?> type) {
    return "a map with fields " + Arrays.stream(components(type)).map(RecordComponent::getName)
        .collect(Collectors.joining(", "));
  }

  private static String simpleName(Class<?> type) {
    return type.getSimpleName();
  }

  private static String enumNames(Class<?> type) {
    return Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name()).collect(Collectors.joining(", "));
  }

  static String childPath(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The candidate closest to {@code key} when it is plausibly a typo of it (edit distance <= 2), else null. */
  public static @Nullable String closest(String key, Iterable<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String lower = key.toLowerCase(Locale.ROOT);
    for (String c : candidates) {
      int d = distance(lower, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return bestDistance <= Math.min(2, Math.max(1, key.length() / 3)) ? best : null;
  }

  /** Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment). */
  private static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 2) {
      return Integer.MAX_VALUE; // never a typo; and a huge hostile key costs nothing
    }
    int[] beforePrevious = new int[b.length() + 1];
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          current[j] = Math.min(current[j], beforePrevious[j - 2] + 1);
        }
      }
      int[] t = beforePrevious;
      beforePrevious = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
