package io.inmesh.config;

import io.inmesh.config.internal.ConfigValidator;
import io.inmesh.config.internal.Location;
import io.inmesh.config.internal.Problems;
import io.inmesh.config.internal.RecordBinder;
import io.inmesh.config.internal.YamlNode;
import io.inmesh.config.internal.YamlNode.MapNode;
import io.inmesh.config.internal.YamlReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads, binds and validates mesh configuration: YAML text in, a {@link MeshConfig} out, or a {@link ConfigException}
 * listing every problem.
 *
 * <p>Several documents (files of a directory, or {@code ---}-separated documents of one file) form one
 * configuration: their {@code services} and {@code inbound} lists are concatenated; {@code mesh}, {@code telemetry}
 * and {@code admin} may each be written in one document only.
 */
public final class ConfigLoader {
  /** Files larger than this are refused before they are read into memory. */
  public static final long DEFAULT_MAX_FILE_BYTES = 16L * 1024 * 1024;

  private static final List<String> SINGLETON_SECTIONS = List.of("mesh", "telemetry", "admin");

  private final Function<String, @Nullable String> env;
  private final long maxFileBytes;

  private ConfigLoader(Function<String, @Nullable String> env, long maxFileBytes) {
    this.env = env;
    this.maxFileBytes = maxFileBytes;
  }

  /** A loader that substitutes {@code ${VAR}} from the process environment. */
  public static ConfigLoader create() {
    return new ConfigLoader(System::getenv, DEFAULT_MAX_FILE_BYTES);
  }

  /** A loader with its own environment lookup (tests, or a config server's variables). */
  public static ConfigLoader withEnvironment(Function<String, @Nullable String> env) {
    return new ConfigLoader(env, DEFAULT_MAX_FILE_BYTES);
  }

  /** The same loader with another per-file size limit. */
  public ConfigLoader withMaxFileBytes(long maxFileBytes) {
    return new ConfigLoader(env, maxFileBytes);
  }

  /** Reads files and directories (their {@code *.yaml} / {@code *.yml} files, sorted) and loads them. */
  public LoadedConfig load(List<Path> paths) {
    return loadDocuments(read(paths));
  }

  /** Loads the given documents as one configuration. */
  public LoadedConfig loadDocuments(List<ConfigDocument> documents) {
    Problems problems = new Problems();
    YamlReader reader = new YamlReader(env, (int) Math.min(Integer.MAX_VALUE - 1, maxFileBytes));
    RecordBinder binder = new RecordBinder(problems);
    List<MeshConfig> parts = new ArrayList<>();
    Map<String, Location> singletons = new java.util.HashMap<>();
    MeshConfig.MeshSettings mesh = null;
    TelemetryConfig telemetry = null;
    AdminConfig admin = null;
    for (ConfigDocument doc : documents) {
      if (doc.content().length() > maxFileBytes) {
        problems.error(new Location(doc.origin(), 0, 0), "", "document of " + doc.content().length()
            + " characters is over the limit of " + maxFileBytes, "a smaller document");
        continue;
      }
      for (YamlNode node : reader.read(doc.origin(), doc.content(), problems)) {
        if (!(node instanceof MapNode map)) {
          if (!(node instanceof YamlNode.ScalarNode s && s.isNull())) {
            problems.error(node.location(), "", "a mesh document must be a map, got " + node.kindName(),
                "a map with keys mesh, services, inbound, telemetry, admin");
          }
          continue;
        }
        if (map.get("apiVersion") != null && map.get("kind") instanceof YamlNode.ScalarNode kind) {
          problems.error(map.location(), "kind", "Kubernetes resources (kind: " + kind.text()
              + ") are not supported by this version of InMesh", "the native format: mesh, services, inbound, ...");
          continue;
        }
        boolean duplicateSection = false;
        for (String section : SINGLETON_SECTIONS) {
          YamlNode.Entry entry = map.entries().get(section);
          if (entry != null) {
            Location first = singletons.putIfAbsent(section, entry.keyLocation());
            if (first != null) {
              problems.error(entry.keyLocation(), section, "'" + section + "' is already defined at "
                  + first.origin() + ":" + first.line(), "each of mesh, telemetry, admin in one document only");
              duplicateSection = true;
            }
          }
        }
        MeshConfig part = binder.bind(map, MeshConfig.class, "");
        if (part == null || duplicateSection) {
          continue;
        }
        parts.add(part);
        if (map.get("mesh") != null) {
          mesh = part.mesh();
        }
        if (map.get("telemetry") != null) {
          telemetry = part.telemetry();
        }
        if (map.get("admin") != null) {
          admin = part.admin();
        }
      }
    }
    MeshConfig defaults = binder.bind(new MapNode(new Location("<defaults>", 0, 0), Map.of()), MeshConfig.class, "");
    List<ServiceConfig> services = new ArrayList<>();
    List<InboundConfig.PeerAuthentication> peer = new ArrayList<>();
    List<InboundConfig.AuthorizationPolicy> authz = new ArrayList<>();
    List<InboundConfig.RateLimitPolicy> limits = new ArrayList<>();
    List<InboundConfig.PathNormalizationPolicy> paths = new ArrayList<>();
    for (MeshConfig part : parts) {
      services.addAll(part.services());
      peer.addAll(part.inbound().peerAuthentication());
      authz.addAll(part.inbound().authorization());
      limits.addAll(part.inbound().rateLimits());
      paths.addAll(part.inbound().pathNormalization());
    }
    MeshConfig merged = new MeshConfig(
        mesh != null ? mesh : defaults.mesh(),
        services,
        new InboundConfig(peer, authz, limits, paths),
        telemetry != null ? telemetry : defaults.telemetry(),
        admin != null ? admin : defaults.admin());
    ConfigValidator.validate(merged, binder, problems);
    List<ConfigProblem> sorted = problems.sorted();
    if (problems.hasErrors()) {
      throw new ConfigException(sorted);
    }
    return new LoadedConfig(merged, sorted, hash(documents));
  }

  /**
   * Reads the documents of files and directories, refusing missing paths, oversized files and text that is not
   * UTF-8 with a located problem each.
   */
  public List<ConfigDocument> read(List<Path> paths) {
    Problems problems = new Problems();
    List<ConfigDocument> docs = new ArrayList<>();
    if (paths.isEmpty()) {
      problems.error(new Location("<config>", 0, 0), "", "no configuration files given", "a file or directory");
    }
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        List<Path> files = yamlFiles(path, problems);
        if (files.isEmpty()) {
          problems.error(new Location(path.toString(), 0, 0), "", "no .yaml or .yml files in directory", null);
        }
        for (Path file : files) {
          readFile(file, docs, problems);
        }
      } else {
        readFile(path, docs, problems);
      }
    }
    if (problems.hasErrors()) {
      throw new ConfigException(problems.sorted());
    }
    return docs;
  }

  private static List<Path> yamlFiles(Path dir, Problems problems) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        String name = p.getFileName().toString();
        // Hidden files cover editors' swap files and Kubernetes ConfigMap mounts' ..data directories.
        if (!name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    } catch (IOException e) {
      problems.error(new Location(dir.toString(), 0, 0), "", "cannot list directory: " + e.getMessage(), null);
    }
    files.sort(null);
    return files;
  }

  private void readFile(Path file, List<ConfigDocument> docs, Problems problems) {
    Location at = new Location(file.toString(), 0, 0);
    try {
      long size = Files.size(file);
      if (size > maxFileBytes) {
        problems.error(at, "", "file of " + size + " bytes is over the limit of " + maxFileBytes + " bytes",
            "a smaller file, or several files in a directory");
        return;
      }
      byte[] bytes = Files.readAllBytes(file);
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      docs.add(new ConfigDocument(file.toString(), text));
    } catch (NoSuchFileException e) {
      problems.error(at, "", "no such file or directory", null);
    } catch (CharacterCodingException e) {
      problems.error(at, "", "not valid UTF-8 text", "a UTF-8 YAML file");
    } catch (IOException e) {
      problems.error(at, "", "cannot read: " + e, null);
    }
  }

  /** SHA-256 over the documents' origins and contents, hex encoded. */
  public static String hash(List<ConfigDocument> documents) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (ConfigDocument d : documents) {
        digest.update(d.origin().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(d.content().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
