package io.inmesh.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.IVersionProvider;

/** {@code mesh --version}: the version Maven wrote into the jar, so it never drifts from the build. */
final class MeshVersion implements IVersionProvider {
  private static final String POM_PROPERTIES = "/META-INF/maven/io.inmesh/mesh-cli/pom.properties";

  @Override
  public String[] getVersion() {
    return new String[] {
      "mesh " + version(),
      "JVM: ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})"
    };
  }

  /** The manifest's Implementation-Version, else the Maven descriptor's version, else "development build". */
  static String version() {
    String fromManifest = MeshVersion.class.getPackage().getImplementationVersion();
    if (fromManifest != null) {
      return fromManifest;
    }
    String fromPom = pomVersion();
    return fromPom != null ? fromPom : "development build";
  }

  private static @Nullable String pomVersion() {
    try (InputStream in = MeshVersion.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return null; // classes run from target/classes (tests, IDE)
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version");
    } catch (IOException e) {
      return null;
    }
  }
}
