package io.inmesh.samples.demo;

import io.inmesh.Mesh;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Builds the demo's meshes: one {@link Mesh} per workload instance, all reading the same file. The only per-instance
 * differences are the environment of {@code ${VAR}} references (ports, the admin port, the CA directory) and the
 * instance's labels: exactly what separate processes of one fleet would differ by. No mesh shares mutable state with
 * another (each has its own scheduler, identity, balancer and telemetry).
 */
final class Workloads {
  static final String NAMESPACE = "demo";

  private final Path config;
  private final DemoPorts ports;
  private final Path caDir;
  private final Path rogueCaDir;

  Workloads(Path config, DemoPorts ports, Path stateDir) {
    this.config = config;
    this.ports = ports;
    this.caDir = stateDir.resolve("demo-ca");
    this.rogueCaDir = stateDir.resolve("intruder-ca");
  }

  Path caDir() {
    return caDir;
  }

  /**
   * A mesh for {@code instance} of {@code workload}, with the label {@code app=<workload>} (what the authorization
   * policies select on) and {@code extraLabels}; its admin server on the instance's admin port when it has one.
   */
  Mesh mesh(String workload, String instance, Map<String, String> extraLabels) {
    Map<String, String> env = new HashMap<>(ports.variables());
    env.put("INMESH_CA_DIR", caDir.toString());
    if (DemoPorts.ADMINS.contains(instance)) {
      env.put("INMESH_ADMIN_PORT", Integer.toString(ports.admin(instance)));
    } else {
      env.put("INMESH_ADMIN_ENABLED", "false");
    }
    return build(workload, extraLabels, env, true);
  }

  /**
   * An impostor: claims to be {@code frontend} but its certificate comes from another CA (created on first run next to
   * the demo's). It serves nothing and runs no admin server; only its identity is used.
   */
  Mesh rogue() {
    Map<String, String> env = new HashMap<>(ports.variables());
    env.put("INMESH_CA_DIR", rogueCaDir.toString());
    env.put("INMESH_ADMIN_ENABLED", "false");
    return build("frontend", Map.of(), env, false);
  }

  private Mesh build(String workload, Map<String, String> labels, Map<String, String> env, boolean watch) {
    Mesh.Builder b = Mesh.builder()
        .workload(workload)
        .namespace(NAMESPACE)
        .label("app", workload)
        .config(config)
        .environment(lookup(env))
        .watch(watch);
    labels.forEach(b::label);
    return b.build();
  }

  /** The demo's variables first, then the process environment (so a user's own {@code ${VAR}} edits still work). */
  private static Function<String, @Nullable String> lookup(Map<String, String> env) {
    Map<String, String> copy = Map.copyOf(env);
    return name -> {
      String v = copy.get(name);
      return v != null ? v : System.getenv(name);
    };
  }
}
