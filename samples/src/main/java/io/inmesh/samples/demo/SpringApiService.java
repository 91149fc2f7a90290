package io.inmesh.samples.demo;

import io.inmesh.Mesh;
import io.inmesh.samples.spring.ApiServiceApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the Spring Boot integration path: {@link ApiServiceApplication} with the starter's {@code mesh.*} properties
 * (the same workload, labels, shared file and variables the plain instances get through {@link Workloads}).
 */
final class SpringApiService {
  private SpringApiService() {}

  static ConfigurableApplicationContext start(String instance, String version, int port, int adminPort,
      Workloads workloads, DemoPorts ports, DemoOptions options) {
    List<String> p = new ArrayList<>(List.of(
        "spring.main.banner-mode=off",
        "spring.main.register-shutdown-hook=false", // the demo closes it, in order, with everything else
        "server.address=127.0.0.1",
        "server.port=" + port,
        "server.shutdown=immediate", // the demo drains its load before stopping servers
        "mesh.workload=api-service",
        "mesh.namespace=" + Workloads.NAMESPACE,
        "mesh.labels.app=api-service",
        "mesh.labels.version=" + version,
        "mesh.config.location=" + options.config(),
        "mesh.admin.port=" + adminPort,
        "mesh.server.mtls=true",
        "INMESH_CA_DIR=" + workloads.caDir(),
        "demo.instance=" + instance,
        "demo.version=" + version));
    for (Map.Entry<String, String> v : ports.variables().entrySet()) {
      p.add(v.getKey() + "=" + v.getValue());
    }
    return new SpringApplicationBuilder(ApiServiceApplication.class).properties(p.toArray(new String[0])).run();
  }

  static Mesh mesh(ConfigurableApplicationContext context) {
    return context.getBean(Mesh.class);
  }
}
