package io.inmesh.spring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Bootstrap settings of the application's mesh ({@code mesh.*}). Everything else (routes, policies, identity provider,
 * telemetry) is in the shared mesh configuration named by {@code mesh.config.location}.
 */
@ConfigurationProperties("mesh")
public class MeshProperties {
  /** Whether the mesh is set up at all: false leaves the application as if the starter were absent. */
  private boolean enabled = true;

  /** This application's workload (service) name. Default: spring.application.name. */
  private @Nullable String workload;

  /** The workload's namespace. Default: its service's namespace in the configuration, else mesh.defaultNamespace. */
  private @Nullable String namespace;

  /** The workload's service account (its SPIFFE identity's last part). Default: its service's, else the workload. */
  private @Nullable String serviceAccount;

  /** Labels of this workload, added to its service's labels and app=<workload> (policies select on them). */
  private Map<String, String> labels = new LinkedHashMap<>();

  /** The locality zone of this instance (zone-aware load balancing). */
  private @Nullable String zone;

  private final Config config = new Config();

  private final Admin admin = new Admin();

  private final Server server = new Server();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public @Nullable String getWorkload() {
    return workload;
  }

  public void setWorkload(@Nullable String workload) {
    this.workload = workload;
  }

  public @Nullable String getNamespace() {
    return namespace;
  }

  public void setNamespace(@Nullable String namespace) {
    this.namespace = namespace;
  }

  public @Nullable String getServiceAccount() {
    return serviceAccount;
  }

  public void setServiceAccount(@Nullable String serviceAccount) {
    this.serviceAccount = serviceAccount;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public @Nullable String getZone() {
    return zone;
  }

  public void setZone(@Nullable String zone) {
    this.zone = zone;
  }

  public Config getConfig() {
    return config;
  }

  public Admin getAdmin() {
    return admin;
  }

  public Server getServer() {
    return server;
  }

  /** Where the shared mesh configuration is. */
  public static class Config {
    /**
     * The mesh configuration: one or more YAML files or directories (comma-separated), read as one configuration
     * and watched for changes. Required.
     */
    private List<String> location = new ArrayList<>();

    public List<String> getLocation() {
      return location;
    }

    public void setLocation(List<String> location) {
      this.location = location;
    }
  }

  /** The mesh's admin server (metrics, stats, config, tap). */
  public static class Admin {
    /** The admin server's port, overriding admin.port of the configuration file; 0 picks a free port. */
    private @Nullable Integer port;

    public @Nullable Integer getPort() {
      return port;
    }

    public void setPort(@Nullable Integer port) {
      this.port = port;
    }
  }

  /** The embedded web server. */
  public static class Server {
    /**
     * Whether the embedded server (Tomcat or Jetty) serves with the mesh's mTLS, in the mode the configuration's
     * PeerAuthentication gives this workload and port (STRICT: client certificate required; DISABLE: plaintext).
     */
    private boolean mtls = true;

    public boolean isMtls() {
      return mtls;
    }

    public void setMtls(boolean mtls) {
      this.mtls = mtls;
    }
  }
}
