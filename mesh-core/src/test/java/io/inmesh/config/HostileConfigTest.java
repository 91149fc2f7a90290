package io.inmesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Input crafted to exhaust memory, stack or time is refused early, with one clear, located problem. */
class HostileConfigTest {
  private static final ConfigLoader LOADER = ConfigLoader.withEnvironment(Map.<String, String>of()::get);

  @TempDir
  Path dir;

  @Test
  void billionLaughsIsRefusedAtTheFirstAliasWithoutExpandingIt() {
    StringBuilder yaml = new StringBuilder("a: &a [" + "\"lol\",".repeat(8) + "\"lol\"]\n");
    String previous = "a";
    for (char c = 'b'; c <= 'i'; c++) {
      yaml.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        yaml.append(i == 0 ? "" : ",").append('*').append(previous);
      }
      yaml.append("]\n");
      previous = String.valueOf(c);
    }

    // Expanded, the aliases would make 9^9 (387 million) strings.
    List<String> problems = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> problemsOf("laughs.yaml", yaml));

    assertThat(problems).containsExactly("laughs.yaml:2:8: b[0]: YAML alias *a is not supported (and 71 more in this"
        + " document) (expected: values written out in full; InMesh refuses YAML anchors and aliases)");
  }

  static Stream<Arguments> deeplyNestedDocuments() {
    int depth = 10_000;
    return Stream.of(
        Arguments.of(Named.of("flow sequences", "[".repeat(depth) + "]".repeat(depth)), 65),
        Arguments.of(Named.of("flow maps", "{a: ".repeat(depth) + "1" + "}".repeat(depth)), 257),
        Arguments.of(Named.of("block sequences", "- ".repeat(depth) + "x"), 129));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deeplyNestedDocuments")
  void deepNestingIsRefusedAtLevelSixtyFiveWithoutOverflowingTheStack(String yaml, int column) {
    Throwable thrown = catchThrowable(() -> LOADER.loadDocuments(List.of(new ConfigDocument("deep.yaml", yaml))));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).problems()).map(ConfigProblem::toString)
        .containsExactly("deep.yaml:1:" + column + ": nesting deeper than 64 levels (expected: a flatter document)");
  }

  @Test
  void nestingOfSixtyFourLevelsIsNotRefusedAsTooDeep() {
    List<String> problems = problemsOf("deep.yaml", "[".repeat(64) + "]".repeat(64));

    assertThat(problems).containsExactly("deep.yaml:1:1: a mesh document must be a map, got a list"
        + " (expected: a map with keys mesh, services, inbound, telemetry, admin)");
  }

  @Test
  void fileOverTheSizeLimitIsRefusedBeforeItIsRead() throws IOException {
    Path big = dir.resolve("big.yaml");
    // Its first byte is not UTF-8: a loader that read the file before checking its size would report that instead.
    writeCommentLines(big, 50 * 1024 * 1024, (byte) 0xFF);

    Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> catchThrowable(() -> LOADER.load(List.of(big))));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).problems()).map(ConfigProblem::toString).containsExactly(
        big + ": file of 52428800 bytes is over the limit of 16777216 bytes"
            + " (expected: a smaller file, or several files in a directory)");
  }

  @Test
  void documentOverTheSizeLimitIsRefusedBeforeItIsParsed() {
    List<String> problems = problemsOf(LOADER.withMaxFileBytes(100), "inline.yaml", "#".repeat(101));

    assertThat(problems).containsExactly("inline.yaml: document of 101 characters is over the limit of 100"
        + " characters (expected: a smaller document)");
  }

  @Test
  void fileThatIsNotUtf8IsRefusedAtTheFirstBadByte() throws IOException {
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, "services:\n  - name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

    Throwable thrown = catchThrowable(() -> LOADER.load(List.of(latin1)));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).problems()).map(ConfigProblem::toString).containsExactly(
        latin1 + ":2:14: not valid UTF-8: byte 0xE9 at offset 23 (expected: a UTF-8 text file)");
  }

  @Test
  void missingFileIsReportedWithItsPath() {
    Path missing = dir.resolve("missing.yaml");

    Throwable thrown = catchThrowable(() -> LOADER.load(List.of(missing)));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).problems()).map(ConfigProblem::toString)
        .containsExactly(missing + ": no such file or directory");
  }

  @Test
  void emptyDirectoryIsRefused() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));

    Throwable thrown = catchThrowable(() -> LOADER.load(List.of(empty)));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).problems()).map(ConfigProblem::toString).containsExactly(
        empty + ": no .yaml or .yml files in directory"
            + " (expected: a directory with at least one *.yaml or *.yml file (hidden files are ignored))");
  }

  @Test
  void directoryWithOnlyHiddenAndOtherFilesIsRefused() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("conf.d"));
    Files.writeString(empty.resolve(".mesh.yaml.swp"), "services: []");
    Files.writeString(empty.resolve("README.md"), "# not config");

    Throwable thrown = catchThrowable(() -> LOADER.load(List.of(empty)));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).problems()).map(ConfigProblem::toString).containsExactly(
        empty + ": no .yaml or .yml files in directory"
            + " (expected: a directory with at least one *.yaml or *.yml file (hidden files are ignored))");
  }

  @Test
  void emptyListOfPathsIsRefused() {
    Throwable thrown = catchThrowable(() -> LOADER.load(List.of()));

    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).problems()).map(ConfigProblem::toString)
        .containsExactly("<config>: no configuration files given (expected: a file or directory)");
  }

  private static List<String> problemsOf(String origin, CharSequence yaml) {
    return problemsOf(LOADER, origin, yaml);
  }

  private static List<String> problemsOf(ConfigLoader loader, String origin, CharSequence yaml) {
    Throwable thrown = catchThrowable(
        () -> loader.loadDocuments(List.of(new ConfigDocument(origin, yaml.toString()))));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    return ((ConfigException) thrown).problems().stream().map(ConfigProblem::toString).toList();
  }

  /** Writes {@code size} bytes of YAML comment lines, one megabyte at a time, starting with {@code firstByte}. */
  private static void writeCommentLines(Path file, int size, byte firstByte) throws IOException {
    byte[] line = ("# " + "x".repeat(61) + "\n").getBytes(StandardCharsets.US_ASCII); // 64 bytes
    ByteBuffer chunk = ByteBuffer.allocate(1024 * 1024);
    while (chunk.hasRemaining()) {
      chunk.put(line);
    }
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int written = 0; written < size; written += chunk.capacity()) {
        chunk.rewind();
        if (written == 0) {
          chunk.put(0, firstByte);
        } else {
          chunk.put(0, line[0]);
        }
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
      }
    }
  }
}
