package io.inmesh.config.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.inmesh.config.internal.YamlNode.Entry;
import io.inmesh.config.internal.YamlNode.ListNode;
import io.inmesh.config.internal.YamlNode.MapNode;
import io.inmesh.config.internal.YamlNode.ScalarKind;
import io.inmesh.config.internal.YamlNode.ScalarNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Parses YAML text into located {@link YamlNode} trees, one per document, defending against hostile input.
 *
 * <p>Aliases are refused rather than expanded: that closes the "billion laughs" family of attacks and avoids Jackson's
 * surprising habit of returning an alias as the literal string {@code *name}. A document with aliases is reported
 * once and not used. Nesting is bounded, and the caller bounds the size before the text is read into memory.
 * {@code ${VAR}} and {@code ${VAR:default}} in scalars are replaced from the environment; {@code $${} writes a
 * literal {@code ${}. A reference that cannot be resolved is reported and yields an {@code INVALID} scalar, which the
 * binder skips without a second report.
 */
public final class YamlReader {
  /** Deeper than any real mesh file (about 12 levels) by a wide margin, shallow enough to never hurt the stack. */
  public static final int MAX_DEPTH = 64;

  private final Function<String, @Nullable String> env;
  private final YAMLFactory factory;

  public YamlReader(Function<String, @Nullable String> env, int maxChars) {
    this.env = env;
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // we report duplicates ourselves, with both locations
    options.setMaxAliasesForCollections(0);
    options.setNestingDepthLimit(MAX_DEPTH + 1);
    options.setCodePointLimit(Math.max(maxChars, 1) + 1);
    options.setAllowRecursiveKeys(false);
    this.factory =
        YAMLFactory.builder()
            // The builder starts with every feature off, unlike new YAMLFactory(): without this, `key:` with no
            // value reads as "" instead of null (a quoted "" stays an empty string).
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .loaderOptions(options)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 1).build())
            .build();
  }

  /**
   * The documents of one text. {@code complete} is false when a document was dropped (a syntax error, an alias,
   * nesting too deep): semantic checks that look across documents would then report errors that are not there.
   */
  public record Documents(List<YamlNode> nodes, boolean complete) {
    public Documents {
      nodes = List.copyOf(nodes);
    }
  }

  /** Parses every document of {@code text}; problems go to {@code problems} and yield no document. */
  public List<YamlNode> read(String origin, String text, Problems problems) {
    return readDocuments(origin, text, problems).nodes();
  }

  /** Parses every document of {@code text}, telling whether any was dropped because of a problem. */
  public Documents readDocuments(String origin, String text, Problems problems) {
    List<YamlNode> documents = new ArrayList<>();
    boolean complete = true;
    YAMLParser parser = null;
    try (YAMLParser p = (YAMLParser) factory.createParser(text)) {
      parser = p;
      JsonToken token;
      while ((token = p.nextToken()) != null) {
        Context context = new Context(origin, problems);
        YamlNode doc = readValue(p, token, context, "", 1);
        if (context.aliases > 0) {
          // Aliases are refused, not expanded ("billion laughs"); the document is not used, since the values the
          // aliases stand for are unknown. One problem per document: the fix is the same for every alias.
          problems.error(context.firstAlias, context.firstAliasPath, "YAML alias *" + context.firstAliasName
                  + " is not supported" + (context.aliases > 1 ? " (and " + (context.aliases - 1) + " more in this"
                  + " document)" : ""),
              "values written out in full; InMesh refuses YAML anchors and aliases");
          complete = false;
        } else if (doc != null) {
          documents.add(doc);
        }
      }
    } catch (DepthExceeded e) {
      // No path: at this depth it would be dozens of segments long, and the line and column say where it is.
      problems.error(e.at, "", "nesting deeper than " + MAX_DEPTH + " levels", "a flatter document");
      return new Documents(List.of(), false);
    } catch (JsonProcessingException e) {
      syntaxError(origin, e, parser, problems);
      return new Documents(List.of(), false);
    } catch (IOException e) {
      problems.error(new Location(origin, 0, 0), "", "cannot read YAML: " + e.getMessage(), null);
      return new Documents(List.of(), false);
    }
    return new Documents(documents, complete);
  }

  /** Per-document state. */
  private static final class Context {
    final String origin;
    final Problems problems;
    int aliases;
    @Nullable Location firstAlias;
    String firstAliasPath = "";
    String firstAliasName = "";

    Context(String origin, Problems problems) {
      this.origin = origin;
      this.problems = problems;
    }
  }

  private @Nullable YamlNode readValue(YAMLParser parser, JsonToken token, Context cx, String path, int depth)
      throws IOException {
    Location at = location(cx.origin, parser.currentTokenLocation());
    if (depth > MAX_DEPTH) {
      throw new DepthExceeded(at);
    }
    if (parser.isCurrentAlias()) {
      if (cx.aliases++ == 0) {
        cx.firstAlias = at;
        cx.firstAliasPath = path;
        cx.firstAliasName = parser.getText();
      }
      return new ScalarNode(at, parser.getText(), ScalarKind.INVALID, false);
    }
    switch (token) {
      case START_OBJECT -> {
        Map<String, Entry> entries = new LinkedHashMap<>();
        JsonToken t;
        while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          Location keyAt = location(cx.origin, parser.currentTokenLocation());
          String keyPath = RecordBinder.childPath(path, key);
          YamlNode value = readValue(parser, parser.nextToken(), cx, keyPath, depth + 1);
          Entry previous = entries.get(key);
          if (previous != null) {
            Location first = previous.keyLocation();
            cx.problems.error(keyAt, keyPath, "duplicate key '" + key + "' (first at line " + first.line()
                + (first.line() == keyAt.line() ? ", column " + first.column() : "") + ")", "each key once per map");
          } else if (value != null) {
            entries.put(key, new Entry(key, keyAt, value));
          }
        }
        if (t != JsonToken.END_OBJECT) {
          cx.problems.error(at, path, "malformed mapping", null);
        }
        return new MapNode(at, entries);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
          YamlNode item = readValue(parser, t, cx, path + "[" + items.size() + "]", depth + 1);
          if (item != null) {
            items.add(item);
          }
        }
        return new ListNode(at, items);
      }
      case VALUE_STRING -> {
        return string(at, path, parser.getText(), cx.problems);
      }
      case VALUE_NUMBER_INT -> {
        return new ScalarNode(at, parser.getText(), ScalarKind.INTEGER, false);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new ScalarNode(at, parser.getText(), ScalarKind.FLOAT, false);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new ScalarNode(at, parser.getText(), ScalarKind.BOOLEAN, false);
      }
      case VALUE_NULL -> {
        return new ScalarNode(at, null, ScalarKind.NULL, false);
      }
      default -> {
        cx.problems.error(at, path, "unsupported YAML value (" + token + ")", null);
        return null;
      }
    }
  }

  /** A string scalar after {@code ${VAR}} substitution; a bad reference is reported and yields an INVALID node. */
  private ScalarNode string(Location at, String path, String text, Problems problems) {
    if (text.indexOf('$') < 0) {
      return new ScalarNode(at, text, ScalarKind.STRING, false);
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean substituted = false;
    boolean invalid = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (c == '$' && text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          problems.error(at, path, "unterminated ${ in '" + text + "'", "${NAME} or ${NAME:default}");
          return new ScalarNode(at, text, ScalarKind.INVALID, false);
        }
        String ref = text.substring(i + 2, end);
        int colon = ref.indexOf(':');
        String name = colon < 0 ? ref : ref.substring(0, colon);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
          problems.error(at, path, "invalid environment variable name '" + name + "' in '" + text + "'",
              "${NAME} or ${NAME:default} with NAME made of letters, digits and _, not starting with a digit"
                  + " ($${ writes a literal ${)");
          return new ScalarNode(at, text, ScalarKind.INVALID, false);
        }
        String value = env.apply(name);
        if (value == null) {
          if (colon < 0) {
            problems.error(at, path, "environment variable " + name + " is not set",
                "the variable set, or a default: ${" + name + ":value}");
            invalid = true;
            value = "";
          } else {
            value = ref.substring(colon + 1);
          }
        }
        out.append(value);
        substituted = true;
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return new ScalarNode(at, out.toString(), invalid ? ScalarKind.INVALID : ScalarKind.STRING, substituted);
  }

  private static Location location(String origin, @Nullable JsonLocation loc) {
    if (loc == null) {
      return new Location(origin, 0, 0);
    }
    return new Location(origin, Math.max(loc.getLineNr(), 0), Math.max(loc.getColumnNr(), 0));
  }

  /**
   * Reports a YAML syntax error where SnakeYAML found it (Jackson's own location is the end of the last good token,
   * often the line before), in words a YAML user knows.
   */
  private static void syntaxError(String origin, JsonProcessingException e, @Nullable YAMLParser parser,
      Problems problems) {
    MarkedYAMLException marked = null;
    for (Throwable t = e; t != null && marked == null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m) {
        marked = m;
      }
    }
    String raw = String.valueOf(e.getOriginalMessage());
    String lower = raw.toLowerCase(Locale.ROOT);
    Location at = location(origin, e.getLocation());
    if (marked != null && marked.getProblemMark() != null) {
      at = mark(origin, marked.getProblemMark());
    } else if (at.line() == 0 && parser != null) {
      at = location(origin, parser.currentLocation());
    }
    if (lower.contains("exceeds the limit") || lower.contains("code point")) {
      problems.error(at, "", "document too large", "a smaller document");
      return;
    }
    if (lower.contains("nesting depth") || lower.contains("flow level")) {
      problems.error(at, "", "nesting deeper than " + MAX_DEPTH + " levels", "a flatter document");
      return;
    }
    if (marked == null) {
      problems.error(at, "", "YAML syntax error: " + raw.strip().lines().findFirst().orElse(raw).strip(), null);
      return;
    }
    String problem = String.valueOf(marked.getProblem()).strip();
    String context = marked.getContext() == null ? null : marked.getContext().strip();
    Mark contextMark = marked.getContextMark();
    String where = contextMark == null ? "" : " at line " + (contextMark.getLine() + 1) + ", column "
        + (contextMark.getColumn() + 1);
    if (problem.contains("\\t(TAB)") || problem.contains("'\\t'")) {
      problems.error(at, "", "YAML syntax error: tab character in indentation", "spaces");
    } else if (problem.startsWith("expected <block end>") && context != null && contextMark != null) {
      String block = context.contains("mapping") ? "mapping" : "list";
      problems.error(at, "", "YAML syntax error: bad indentation: this line is not aligned with the " + block
          + " that starts" + where + " (" + problem + ")", "entries of one " + block + " at the same indentation");
    } else if (context != null && contextMark != null && context.startsWith("while parsing a flow")
        && problem.startsWith("expected ',' or")) {
      String open = context.contains("sequence") ? "[" : "{";
      problems.error(at, "", "YAML syntax error: '" + open + "'" + where + " is not closed (" + problem + ")",
          "',' between items and a closing '" + (open.equals("[") ? "]" : "}") + "'");
    } else if (context != null && context.startsWith("while scanning a quoted scalar")
        && problem.contains("end of stream")) {
      problems.error(at, "", "YAML syntax error: the quoted string that starts" + where + " is not closed",
          "a closing quote");
    } else if (problem.startsWith("mapping values are not allowed")) {
      problems.error(at, "", "YAML syntax error: " + problem, "quotes around a value that contains ': '");
    } else {
      problems.error(at, "", "YAML syntax error: " + problem + (context == null ? "" : " (" + context + where
          + ")"), null);
    }
  }

  private static Location mark(String origin, Mark mark) {
    return new Location(origin, mark.getLine() + 1, mark.getColumn() + 1);
  }

  private static final class DepthExceeded extends IOException {
    private static final long serialVersionUID = 1L;
    final transient Location at;

    DepthExceeded(Location at) {
      super("too deep", null);
      this.at = at;
    }
  }
}
