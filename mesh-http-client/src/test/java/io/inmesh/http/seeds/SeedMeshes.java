package io.inmesh.http.seeds;

import io.inmesh.Mesh;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The seed examples as a running mesh reads them: a config directory holding the seed files (verbatim, or some of
 * their documents) next to a small native fragment that gives the services real endpoints on 127.0.0.1, turns the
 * admin endpoint off and puts the dev CA in the test's temporary directory; the loader merges the directory's files.
 * Everything made through it (meshes, servers) is closed by {@link #close()}, newest first.
 */
final class SeedMeshes implements AutoCloseable {
  /** The name of a document in a seed file: {@code metadata.name}, the first two-space-indented {@code name:}. */
  private static final Pattern METADATA_NAME = Pattern.compile("(?m)^metadata:\\s*\\n(?:  .*\\n)*?  name: (\\S+)");

  private final Path dir;
  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private int generation;

  SeedMeshes(Path dir) {
    this.dir = dir;
  }

  /** The text of a seed file copied into {@code src/test/resources/seeds}. */
  static String seed(String file) {
    try (InputStream in = SeedMeshes.class.getResourceAsStream("/seeds/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no seed " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documents of a seed file whose {@code metadata.name} is one of {@code names}, verbatim. */
  static String documents(String file, String... names) {
    List<String> wanted = Arrays.asList(names);
    List<String> kept = Arrays.stream(seed(file).split("(?m)^---\\s*$")).filter(doc -> {
      Matcher m = METADATA_NAME.matcher(doc);
      return m.find() && wanted.contains(m.group(1));
    }).toList();
    if (kept.size() != names.length) {
      throw new IllegalArgumentException(file + " has no single document for each of " + wanted);
    }
    return kept.stream().collect(Collectors.joining("\n---\n"));
  }

  /** The CA directory every mesh made here shares (created by the first mesh that needs an identity). */
  Path caDirectory() {
    return dir.resolve("ca");
  }

  /**
   * A config directory: {@code 00-native.yaml} holding {@code nativeYaml} ({@code %CA%} stands for the dev CA
   * directory) and one file per seed text, in the order given.
   */
  Path config(String nativeYaml, String... seedTexts) {
    Path config = dir.resolve("config-" + ++generation);
    try {
      Files.createDirectories(config);
      Files.writeString(config.resolve("00-native.yaml"), nativeYaml.replace("%CA%", caDirectory().toString()));
      for (int i = 0; i < seedTexts.length; i++) {
        Files.writeString(config.resolve(String.format("%02d-seed.yaml", i + 1)), seedTexts[i]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return config;
  }

  /**
   * {@link #config} for a plaintext mesh ({@code mesh.defaults.mtlsMode: DISABLE}) whose {@code services} section
   * holds {@code services} (YAML list items written from column 0; empty: none).
   */
  Path plaintextConfig(String services, String... seedTexts) {
    return config("""
        mesh:
          defaults: {mtlsMode: DISABLE}
          identity: {devCa: {directory: '%CA%'}}
        admin: {enabled: false}
        """ + (services.isEmpty() ? "" : "services:\n" + services.indent(2)), seedTexts);
  }

  /** A mesh for {@code workload} reading {@code config}, not watched; closed with this. */
  Mesh mesh(Path config, String workload, UnaryOperator<Mesh.Builder> options) {
    return closeLater(options.apply(Mesh.builder().workload(workload).config(config).watch(false)).build());
  }

  <T extends AutoCloseable> T closeLater(T closeable) {
    open.push(closeable);
    return closeable;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    while (!open.isEmpty()) {
      try {
        open.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
