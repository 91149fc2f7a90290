package io.inmesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file (or directory) under {@code src/test/resources/invalid/} is a configuration that must be rejected with
 * exactly the problems listed, one rendered line each, in its sibling {@code NAME.expected} file. Origins are printed
 * relative to the corpus directory.
 *
 * <p>After a deliberate change of messages, regenerate the expected files and review every line of the diff:
 * {@code mvn -o test -pl mesh-core -Dtest=InvalidConfigCorpusTest -Dinmesh.corpus.update=true}.
 */
class InvalidConfigCorpusTest {
  /** The environment every case sees; the env-var cases refer to these names (and to names not set here). */
  static final Map<String, String> ENV = Map.of(
      "INMESH_TEST_PORT", "8080",
      "INMESH_TEST_NAME", "orders");

  private static final String EXPECTED = ".expected";
  private static final Path SOURCE_CORPUS = Path.of("src", "test", "resources", "invalid");

  static Stream<Named<Path>> cases() throws IOException {
    return corpusEntries().stream().map(p -> Named.of(p.getFileName().toString(), p));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rejectsTheConfigurationWithExactlyTheExpectedProblems(Path config) throws IOException {
    ConfigException rejected = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.withEnvironment(ENV::get).load(List.of(config)));

    assertThat(rejected).as("%s must be rejected", config.getFileName()).isNotNull();
    List<String> actual = rejected.problems().stream().map(InvalidConfigCorpusTest::relative).toList();
    Path expectedFile = expectedFile(config);
    if (Boolean.getBoolean("inmesh.corpus.update")) {
      Files.write(SOURCE_CORPUS.resolve(expectedFile.getFileName()), actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(actual).as("problems of %s", config.getFileName()).containsExactlyElementsOf(expectedLines(config));
  }

  @Test
  void everyCaseHasAnExpectedFileAndEveryExpectedFileHasACase() throws IOException {
    List<Path> cases = corpusEntries();
    List<String> expectedFiles;
    try (Stream<Path> files = Files.list(corpusDirectory())) {
      expectedFiles = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(EXPECTED)).sorted().toList();
    }

    assertThat(cases).allSatisfy(c -> assertThat(expectedFile(c)).exists());
    assertThat(expectedFiles).containsExactlyElementsOf(
        cases.stream().map(c -> expectedFile(c).getFileName().toString()).sorted().toList());
  }

  @Test
  void corpusCoversAtLeastFortyFiveCases() throws IOException {
    assertThat(corpusEntries()).hasSizeGreaterThanOrEqualTo(45);
  }

  @Test
  void everyExpectedFileListsAtLeastOneError() throws IOException {
    for (Path c : corpusEntries()) {
      assertThat(expectedLines(c)).as("%s", expectedFile(c).getFileName())
          .anySatisfy(line -> assertThat(line).doesNotContain(": warning: "));
    }
  }

  /** The YAML files and directories of the corpus, sorted by name. */
  private static List<Path> corpusEntries() throws IOException {
    try (Stream<Path> entries = Files.list(corpusDirectory())) {
      return entries
          .filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }

  private static Path corpusDirectory() {
    URL url = InvalidConfigCorpusTest.class.getResource("/invalid");
    assertThat(url).as("the corpus on the test class path").isNotNull();
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path expectedFile(Path config) {
    String name = config.getFileName().toString();
    String base = name.endsWith(".yaml") ? name.substring(0, name.length() - ".yaml".length()) : name;
    return config.resolveSibling(base + EXPECTED);
  }

  private static List<String> expectedLines(Path config) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(expectedFile(config), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** The problem as printed, with file names relative to the corpus directory. */
  private static String relative(ConfigProblem p) {
    String prefix = corpusDirectory() + File.separator;
    String origin = p.origin().startsWith(prefix) ? p.origin().substring(prefix.length()) : p.origin();
    return new ConfigProblem(origin.replace(File.separatorChar, '/'), p.line(), p.column(), p.path(),
        p.message().replace(prefix, ""), p.expected(), p.severity()).toString();
  }
}
