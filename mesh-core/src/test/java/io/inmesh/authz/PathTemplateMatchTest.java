package io.inmesh.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The allocation-free matcher against the regular expression it replaced (kept here as the oracle): every template
 * and path gives the same answer, on hand-picked edge cases and on generated ones.
 */
class PathTemplateMatchTest {

  /** The former implementation: literals quoted, {@code {*}} as {@code [^/]+}, {@code {**}} as {@code .*}. */
  static Pattern oracle(String template) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      if (template.startsWith("{**}", i)) {
        regex.append(".*");
        i += 4;
      } else if (template.startsWith("{*}", i)) {
        regex.append("[^/]+");
        i += 3;
      } else {
        int next = template.indexOf('{', i + 1);
        int end = next < 0 ? template.length() : next;
        regex.append(Pattern.quote(template.substring(i, end)));
        i = end;
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "/products/{*}|/products/1|true",
      "/products/{*}|/products/|false",
      "/products/{*}|/products/1/|false",
      "/products/{*}|/products/1/x|false",
      "/products/{*}/reviews|/products/9/reviews|true",
      "/products/{*}/reviews|/products//reviews|false",
      "/products/{*}/reviews|/products/9/8/reviews|false",
      "/products/{**}|/products/1/x/y|true",
      "/products/{**}|/products/|true",
      "/products/{**}|/products|false",
      "/products/{**}|/products//|true",
      "/a/{**}/b/{**}|/a/b/|false",
      "/a/{**}/b/{**}|/a//b/|true",
      "/a/{**}/b/{**}|/a/x/y/b/z|true",
      "/a/{**}/{**}|/a/|false",
      "/a/{**}/{**}|/a//|true",
      "/a/{*}{*}|/a/x|false",
      "/a/{*}{*}|/a/xy|true",
      "/a/{*}{**}|/a/x/y|true",
      "/a/{*}.json|/a/x.json|true",
      "/a/{*}.json|/a/.json|false",
      "/a/{*}.json|/a/x.y.json|true",
      "/a.b/{*}|/aXb/1|false",
      "/a/{x}/{*}|/a/{x}/1|true",
      "/a/{{*}}|/a/{1}|true",
      "/a/{*|/a/{*|true",
      "/a/{***}|/a/{***}|true",
      "/a/{***}|/a/x|false",
      "/a/(x)+/{*}|/a/(x)+/1|true",
      "/a/\\E/{*}|/a/\\E/1|true",
      "/{*}|/|false",
      "{**}|''|true",
      "/{*}{*}|/\uD83D\uDE00|false",
      "/{*}{*}|/\uD83D\uDE00\uD83D\uDE00|true",
  })
  void matchesTheEdgeCasesAsTheRegexDid(String template, String path, boolean expected) {
    String p = path.equals("''") ? "" : path;
    assertThat(oracle(template).matcher(p).matches()).as("oracle").isEqualTo(expected);
    assertThat(PathTemplateMatch.of(template).matches(p)).isEqualTo(expected);
  }

  @Test
  void wildcardsSpanLineTerminatorsSoThatADenyCannotBeEscapedWithARawNewline() {
    for (String terminator : List.of("\n", "\r", "\u0085", "\u2028", "\u2029")) {
      assertThat(PathTemplateMatch.of("/a/{**}").matches("/a/x" + terminator + "y")).as(terminator).isTrue();
      assertThat(PathTemplateMatch.of("/a/{*}").matches("/a/x" + terminator + "y")).as(terminator).isTrue();
    }
  }

  @Test
  void aNullPathMatchesNothing() {
    assertThat(PathTemplateMatch.of("/{**}").matches(null)).isFalse();
  }

  /** Pieces small enough that generated templates and paths collide often, with every awkward character. */
  private static final String[] TEMPLATE_PIECES = {"/", "/", "a", "b", "ab", ".", "{*}", "{*}", "{**}", "{**}",
      "{", "}", "*", "{*", "\\E", "\n", "\uD83D\uDE00"};
  private static final String[] PATH_PIECES = {"/", "/", "/", "a", "b", "ab", ".", "{", "}", "*", "\n", "\u2028",
      "\uD83D\uDE00", "x", "xy"};

  @Test
  void agreesWithTheRegexOnGeneratedTemplatesAndPaths() {
    long seed = 20240601L;
    Random random = new Random(seed);
    int compared = 0;
    int matched = 0;
    for (int t = 0; t < 3000; t++) {
      String template = join(random, TEMPLATE_PIECES, 1 + random.nextInt(7));
      Pattern oracle = oracle(template);
      PathTemplateMatch match = PathTemplateMatch.of(template);
      List<String> paths = new ArrayList<>();
      for (int k = 0; k < 20; k++) {
        paths.add(join(random, PATH_PIECES, random.nextInt(9)));
        paths.add(instantiate(random, template)); // mostly matching: exercises the positive side
      }
      for (String path : paths) {
        boolean expected = oracle.matcher(path).matches();
        assertThat(match.matches(path)).as("seed %d: template '%s' path '%s'", seed, template, path)
            .isEqualTo(expected);
        compared++;
        matched += expected ? 1 : 0;
      }
    }
    assertThat(compared).isEqualTo(3000 * 40);
    assertThat(matched).as("a useful share of positive cases").isGreaterThan(compared / 5);
  }

  @Test
  void agreesWithTheRegexOnValidatedTemplatesAgainstRealisticPaths() {
    Random random = new Random(7);
    String[] segments = {"api", "v1", "orders", "12345", "items", "x.json", "", "internal", "a-b"};
    for (int t = 0; t < 2000; t++) {
      StringBuilder template = new StringBuilder();
      int n = 1 + random.nextInt(5);
      for (int i = 0; i < n; i++) {
        int kind = random.nextInt(4);
        template.append('/').append(kind == 0 ? "{*}" : segments[random.nextInt(segments.length)]);
      }
      if (random.nextBoolean()) {
        template.append(random.nextBoolean() ? "/{**}" : "{**}");
      }
      PathTemplateMatch match = PathTemplateMatch.of(template.toString());
      Pattern oracle = oracle(template.toString());
      for (int k = 0; k < 30; k++) {
        StringBuilder path = new StringBuilder();
        int m = random.nextInt(7);
        for (int i = 0; i < m; i++) {
          path.append('/').append(segments[random.nextInt(segments.length)]);
        }
        if (random.nextInt(4) == 0) {
          path.append('/');
        }
        String p = k % 2 == 0 ? path.toString() : instantiate(random, template.toString());
        assertThat(match.matches(p)).as("template '%s' path '%s'", template, p)
            .isEqualTo(oracle.matcher(p).matches());
      }
    }
  }

  private static String join(Random random, String[] pieces, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(pieces[random.nextInt(pieces.length)]);
    }
    return sb.toString();
  }

  /** The template with each wildcard replaced by something it usually (not always) matches. */
  private static String instantiate(Random random, String template) {
    String[] one = {"x", "12345", "a.b", "", "x/y", "\uD83D\uDE00"};
    String[] many = {"", "x", "x/y/z", "/", "a//b", "\n"};
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      if (template.startsWith("{**}", i)) {
        sb.append(many[random.nextInt(many.length)]);
        i += 4;
      } else if (template.startsWith("{*}", i)) {
        sb.append(one[random.nextInt(one.length)]);
        i += 3;
      } else {
        sb.append(template.charAt(i++));
      }
    }
    return sb.toString();
  }
}
