package io.inmesh.config;

import io.inmesh.config.internal.ConfigValidator;
import io.inmesh.config.k8s.KubernetesResources;
import io.inmesh.config.internal.Location;
import io.inmesh.config.internal.Problems;
import io.inmesh.config.internal.RecordBinder;
import io.inmesh.config.internal.YamlNode;
import io.inmesh.config.internal.YamlNode.MapNode;
import io.inmesh.config.internal.YamlReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
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
import java.util.Locale;
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
 *
 * <p>Istio and Linkerd resources (documents with {@code apiVersion} and {@code kind}) may stand in the same files and
 * directories: they are translated into the native model ({@link io.inmesh.config.k8s}) and merged with it.
 */
public final class ConfigLoader {
  /** Files larger than this are refused before they are read into memory. */
  public static final long DEFAULT_MAX_FILE_BYTES = 16L * 1024 * 1024;

  private static final List<String> SINGLETON_SECTIONS = List.of("mesh", "telemetry", "admin");

  private final Function<String, @Nullable String> env;
  private final long maxFileBytes;
  private final boolean strict;

  private ConfigLoader(Function<String, @Nullable String> env, long maxFileBytes, boolean strict) {
    this.env = env;
    this.maxFileBytes = maxFileBytes;
    this.strict = strict;
  }

  /** A loader that substitutes {@code ${VAR}} from the process environment. */
  public static ConfigLoader create() {
    return new ConfigLoader(System::getenv, DEFAULT_MAX_FILE_BYTES, false);
  }

  /** A loader with its own environment lookup (tests, or a config server's variables). */
  public static ConfigLoader withEnvironment(Function<String, @Nullable String> env) {
    return new ConfigLoader(env, DEFAULT_MAX_FILE_BYTES, false);
  }

  /** The same loader with another per-file size limit. */
  public ConfigLoader withMaxFileBytes(long maxFileBytes) {
    return new ConfigLoader(env, maxFileBytes, strict);
  }

  /**
   * The same loader, strict or not about Istio and Linkerd fields InMesh does not implement: warnings ("not supported,
   * ignored") by default, errors when strict.
   */
  public ConfigLoader withStrict(boolean strict) {
    return new ConfigLoader(env, maxFileBytes, strict);
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
    List<MapNode> resources = new ArrayList<>();
    Map<String, Location> singletons = new java.util.HashMap<>();
    MeshConfig.MeshSettings mesh = null;
    TelemetryConfig telemetry = null;
    AdminConfig admin = null;
    // False once a document is left out (unreadable, or not a mesh document): the cross-document checks would then
    // report references to services it defines as errors of their own.
    boolean complete = true;
    for (ConfigDocument doc : documents) {
      if (doc.content().length() > maxFileBytes) {
        problems.error(new Location(doc.origin(), 0, 0), "", "document of " + doc.content().length()
            + " characters is over the limit of " + maxFileBytes + " characters", "a smaller document");
        complete = false;
        continue;
      }
      YamlReader.Documents read = reader.readDocuments(doc.origin(), doc.content(), problems);
      complete &= read.complete();
      for (YamlNode node : read.nodes()) {
        if (!(node instanceof MapNode map)) {
          if (!(node instanceof YamlNode.ScalarNode s && s.isNull())) {
            problems.error(node.location(), "", "a mesh document must be a map, got " + node.kindName(),
                "a map with keys mesh, services, inbound, telemetry, admin");
            complete = false;
          }
          continue;
        }
        if (KubernetesResources.isResource(map)) {
          resources.add(map); // translated below, once every native service is known
          continue;
        }
        // A section written again is reported and ignored; the rest of its document still counts, so that its
        // services are known to the routes of other documents.
        List<String> firstSections = new ArrayList<>();
        for (String section : SINGLETON_SECTIONS) {
          YamlNode.Entry entry = map.entries().get(section);
          if (entry != null) {
            Location first = singletons.putIfAbsent(section, entry.keyLocation());
            if (first != null) {
              problems.error(entry.keyLocation(), section, "'" + section + "' is already defined at "
                  + first.origin() + ":" + first.line(), "each of mesh, telemetry, admin in one document only");
            } else {
              firstSections.add(section);
            }
          }
        }
        MeshConfig part = binder.bind(map, MeshConfig.class, "");
        if (part == null) {
          complete = false;
          continue;
        }
        parts.add(part);
        if (firstSections.contains("mesh")) {
          mesh = part.mesh();
        }
        if (firstSections.contains("telemetry")) {
          telemetry = part.telemetry();
        }
        if (firstSections.contains("admin")) {
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
    // Istio and Linkerd resources: merged into the native services, their policies added to the native ones.
    KubernetesResources.Result k8s = KubernetesResources.translate(resources, services,
        mesh != null ? mesh : defaults.mesh(), telemetry != null ? telemetry : defaults.telemetry(),
        singletons.get("telemetry"), binder, problems, strict);
    complete &= k8s.complete();
    peer.addAll(k8s.inbound().peerAuthentication());
    authz.addAll(k8s.inbound().authorization());
    limits.addAll(k8s.inbound().rateLimits());
    MeshConfig merged = new MeshConfig(
        mesh != null ? mesh : defaults.mesh(),
        k8s.services(),
        new InboundConfig(peer, authz, limits, paths),
        k8s.telemetry() != null ? k8s.telemetry() : telemetry != null ? telemetry : defaults.telemetry(),
        admin != null ? admin : defaults.admin());
    if (complete) {
      ConfigValidator.validate(merged, binder, problems, k8s.provenance());
    }
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
          problems.error(new Location(path.toString(), 0, 0), "", "no .yaml or .yml files in directory",
              "a directory with at least one *.yaml or *.yml file (hidden files are ignored)");
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
      String text = decodeUtf8(file.toString(), bytes, problems);
      if (text != null) {
        docs.add(new ConfigDocument(file.toString(), text));
      }
    } catch (NoSuchFileException e) {
      problems.error(at, "", "no such file or directory", null);
    } catch (IOException e) {
      problems.error(at, "", "cannot read: " + e, null);
    }
  }

  /** The text of {@code bytes}, or null after reporting where the first byte that is not UTF-8 is. */
  private static @Nullable String decodeUtf8(String origin, byte[] bytes, Problems problems) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(in, out, true);
    if (result.isError()) {
      // The decoder stops at the bad byte: what it wrote so far gives the line and column.
      out.flip();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < out.length(); i++) {
        if (out.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      int column = Character.codePointCount(out, lineStart, out.length()) + 1;
      problems.error(new Location(origin, line, column), "", String.format(Locale.ROOT,
          "not valid UTF-8: byte 0x%02X at offset %d", bytes[in.position()] & 0xff, in.position()),
          "a UTF-8 text file");
      return null;
    }
    out.flip();
    return out.toString();
  }

  /** SHA-256 over the documents' contents in order (not their origins), hex encoded. */
  public static String hash(List<ConfigDocument> documents) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      // Contents only, in order, each length-prefixed: the same configuration moved to another file name, or read
      // again at another etcd revision, is the same configuration and must not be applied again.
      for (ConfigDocument d : documents) {
        byte[] bytes = d.content().getBytes(StandardCharsets.UTF_8);
        digest.update(java.nio.ByteBuffer.allocate(8).putLong(bytes.length).array());
        digest.update(bytes);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
