package io.inmesh.samples.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every port the demo listens on, keyed by instance (servers by instance name, admin servers as
 * {@code admin-<instance>}). Without a base port: the fixed defaults of {@code samples/mesh.yaml} and the README;
 * with {@code --base-port N}: server {@code i} at {@code N + i}, admin {@code i} at {@code N + 10 + i}.
 */
final class DemoPorts {
  /** How many consecutive ports {@code --base-port} reserves. */
  static final int RANGE = 20;
  private static final int ADMIN_OFFSET = 10;

  /** A server instance: its name, the workload it runs, and the mesh.yaml variable that holds its port. */
  record Server(String instance, String variable, int defaultPort) {}

  static final List<Server> SERVERS = List.of(
      new Server("frontend", "DEMO_FRONTEND_PORT", 8080),
      new Server("api-service-v1-a", "DEMO_API_V1A_PORT", 8443),
      new Server("api-service-v1-b", "DEMO_API_V1B_PORT", 8444),
      new Server("api-service-v2", "DEMO_API_V2_PORT", 8445),
      new Server("payments-a", "DEMO_PAYMENTS_A_PORT", 8543),
      new Server("payments-b", "DEMO_PAYMENTS_B_PORT", 8544));

  /** Instances with an admin server, in port order; the first (frontend) gets the documented default 9901. */
  static final List<String> ADMINS = List.of("frontend", "api-service-v1-a", "api-service-v1-b", "api-service-v2",
      "payments-a", "payments-b", "loadgen", "intruder");
  private static final int DEFAULT_ADMIN = 9901;

  private final Map<String, Integer> ports;

  private DemoPorts(Map<String, Integer> ports) {
    this.ports = Collections.unmodifiableMap(ports);
  }

  static DemoPorts of(@Nullable Integer basePort) {
    Map<String, Integer> p = new LinkedHashMap<>();
    for (int i = 0; i < SERVERS.size(); i++) {
      Server s = SERVERS.get(i);
      p.put(s.instance(), basePort == null ? s.defaultPort() : basePort + i);
    }
    for (int i = 0; i < ADMINS.size(); i++) {
      p.put(adminKey(ADMINS.get(i)), basePort == null ? DEFAULT_ADMIN + i : basePort + ADMIN_OFFSET + i);
    }
    return new DemoPorts(p);
  }

  static String adminKey(String instance) {
    return "admin-" + instance;
  }

  /** Instance key to port, servers first, in a stable order. */
  Map<String, Integer> all() {
    return ports;
  }

  int server(String instance) {
    return require(instance);
  }

  int admin(String instance) {
    return require(adminKey(instance));
  }

  /** The {@code ${DEMO_..._PORT}} values that make every workload's snapshot name the demo's actual ports. */
  Map<String, String> variables() {
    Map<String, String> v = new LinkedHashMap<>();
    for (Server s : SERVERS) {
      v.put(s.variable(), Integer.toString(server(s.instance())));
    }
    return v;
  }

  /** The ports some other process already listens on (checked by binding each on loopback), with their owner. */
  List<String> taken() {
    List<String> taken = new ArrayList<>();
    for (var e : ports.entrySet()) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), e.getValue()));
      } catch (IOException ex) {
        taken.add(e.getValue() + " (" + e.getKey() + ")");
      }
    }
    return taken;
  }

  private int require(String key) {
    Integer port = ports.get(key);
    if (port == null) {
      throw new IllegalArgumentException("no port for " + key);
    }
    return port;
  }
}
