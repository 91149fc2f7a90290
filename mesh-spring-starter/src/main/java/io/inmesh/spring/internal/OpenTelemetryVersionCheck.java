package io.inmesh.spring.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Fails the start-up with the fix when the OpenTelemetry jars on the class path are older than the ones InMesh is
 * built against, or of mixed versions. Spring Boot 4.0's dependency management pins OpenTelemetry 1.55 (and the
 * Prometheus client 1.4.3): a build that imports {@code spring-boot-dependencies} before the OpenTelemetry BOMs
 * silently downgrades InMesh's OpenTelemetry, which otherwise shows up as a {@code NoClassDefFoundError} on the first
 * traced request.
 */
public final class OpenTelemetryVersionCheck {
  /** The OpenTelemetry version mesh-core is built and tested with (the parent pom's opentelemetry.version). */
  public static final String REQUIRED = "1.65.0";

  /** A class of each OpenTelemetry artifact InMesh uses, required or optional. */
  private static final Map<String, String> PROBES = new LinkedHashMap<>();

  static {
    PROBES.put("opentelemetry-api", "io.opentelemetry.api.OpenTelemetry");
    PROBES.put("opentelemetry-context", "io.opentelemetry.context.Context");
    PROBES.put("opentelemetry-sdk-trace", "io.opentelemetry.sdk.trace.SdkTracerProvider");
    PROBES.put("opentelemetry-sdk-common", "io.opentelemetry.sdk.common.CompletableResultCode");
    PROBES.put("opentelemetry-exporter-otlp", "io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter");
    PROBES.put("opentelemetry-extension-trace-propagators",
        "io.opentelemetry.extension.trace.propagation.B3Propagator");
  }

  private OpenTelemetryVersionCheck() {}

  /** Throws {@link IllegalStateException} naming the jars and the fix when the class path is not usable. */
  public static void verify(ClassLoader loader) {
    String problem = problem(versions(loader));
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
  }

  /** The version of each OpenTelemetry artifact present (from its jar manifest; absent versions are skipped). */
  static Map<String, String> versions(ClassLoader loader) {
    Map<String, String> found = new LinkedHashMap<>();
    PROBES.forEach((artifact, probe) -> {
      try {
        Package p = Class.forName(probe, false, loader).getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        if (v != null) {
          found.put(artifact, v);
        }
      } catch (ClassNotFoundException | LinkageError e) {
        // Not on the class path: optional artifacts are allowed to be absent.
      }
    });
    return found;
  }

  /** Why these versions cannot work, or null when they can. */
  static @Nullable String problem(Map<String, String> versions) {
    List<String> old = new ArrayList<>();
    versions.forEach((artifact, v) -> {
      if (compare(v, REQUIRED) < 0) {
        old.add(artifact + " " + v);
      }
    });
    boolean mixed = versions.values().stream().distinct().count() > 1;
    if (old.isEmpty() && !mixed) {
      return null;
    }
    return "InMesh needs OpenTelemetry " + REQUIRED + " or later, all artifacts of one version, but the class path has "
        + versions + (old.isEmpty() ? "" : " (too old: " + String.join(", ", old) + ")") + ". Spring Boot's "
        + "dependency management downgrades OpenTelemetry when it is imported first. Fix: in <dependencyManagement>, "
        + "import io.opentelemetry:opentelemetry-bom:" + REQUIRED + ", io.opentelemetry:opentelemetry-bom-alpha:"
        + REQUIRED + "-alpha and io.prometheus:prometheus-metrics-bom:1.8.0 BEFORE "
        + "org.springframework.boot:spring-boot-dependencies (with spring-boot-starter-parent: set the properties "
        + "opentelemetry.version=" + REQUIRED + " and prometheus-client.version=1.8.0); Gradle: platform(...) the "
        + "OpenTelemetry BOM " + REQUIRED + ".";
  }

  /** Compares dotted numeric versions ({@code 1.65.0}, {@code 1.65.0-alpha}: the qualifier is ignored). */
  static int compare(String a, String b) {
    String[] x = a.split("[.-]");
    String[] y = b.split("[.-]");
    for (int i = 0; i < 3; i++) {
      int c = Integer.compare(number(x, i), number(y, i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static int number(String[] parts, int i) {
    if (i >= parts.length) {
      return 0;
    }
    try {
      return Integer.parseInt(parts[i]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
