package io.inmesh.spring;

import io.inmesh.ConfigStatus;
import io.inmesh.Mesh;
import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigProblem;
import io.inmesh.lb.EndpointState;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.routing.CompiledService;
import io.inmesh.telemetry.MeshTelemetry;
import io.inmesh.tls.IdentityStatus;
import io.inmesh.tls.MeshTls;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/mesh}: the configuration in force (version, hash, source, reload counts, the last rejection), this
 * workload's identity and certificate expiry, every service with its endpoints and their state (available, ejected,
 * in flight), and the admin server's address. Values are plain strings, numbers and maps.
 */
@Endpoint(id = "mesh")
public class MeshEndpoint {
  private final Mesh mesh;
  private final Clock clock;

  public MeshEndpoint(Mesh mesh) {
    this(mesh, Clock.systemUTC());
  }

  MeshEndpoint(Mesh mesh, Clock clock) {
    this.mesh = mesh;
    this.clock = clock;
  }

  @ReadOperation
  public Map<String, Object> mesh() {
    Map<String, Object> out = new LinkedHashMap<>();
    MeshSnapshot snapshot = mesh.snapshot();
    out.put("workload", workload(mesh.workload(), snapshot));
    out.put("config", config(mesh.configStatus()));
    MeshTls tls = mesh.feature(MeshTls.class);
    if (tls != null) {
      out.put("identity", identity(tls.status()));
    }
    out.put("services", services(snapshot));
    MeshTelemetry telemetry = mesh.feature(MeshTelemetry.class);
    InetSocketAddress admin = telemetry == null ? null : telemetry.adminAddress();
    out.put("admin", admin == null ? "disabled" : "http://" + admin.getHostString() + ":" + admin.getPort());
    return out;
  }

  private static Map<String, Object> workload(WorkloadIdentity w, MeshSnapshot s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", w.name());
    m.put("namespace", w.namespace());
    m.put("serviceAccount", w.serviceAccount());
    m.put("spiffeId", w.spiffeId(s.config().mesh().trustDomain()).toString());
    m.put("labels", w.labels());
    if (w.zone() != null) {
      m.put("zone", w.zone());
    }
    return m;
  }

  private static Map<String, Object> config(ConfigStatus c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", c.version());
    m.put("contentHash", c.contentHash());
    m.put("source", c.source());
    m.put("appliedAt", c.appliedAt().toString());
    m.put("applied", c.appliedCount());
    m.put("rejected", c.rejectedCount());
    m.put("usingLastGoodCopy", c.usingLastGoodCopy());
    ConfigStatus.ConfigRejection r = c.lastRejection();
    if (r != null) {
      List<String> problems = new ArrayList<>();
      for (ConfigProblem p : r.problems()) {
        problems.add(p.toString());
      }
      m.put("lastRejection", Map.of("at", r.at().toString(), "problems", problems));
    }
    return m;
  }

  private Map<String, Object> identity(IdentityStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("provider", s.provider());
    m.put("spiffeId", s.identity() == null ? "none" : s.identity().toString());
    if (s.notAfter() != null) {
      m.put("serial", String.valueOf(s.serial()));
      m.put("notAfter", s.notAfter().toString());
      m.put("expiresInSeconds", Duration.between(clock.instant(), s.notAfter()).toSeconds());
    }
    m.put("renewals", Math.max(0, s.updates() - 1));
    m.put("healthy", s.healthy());
    if (s.lastError() != null) {
      m.put("lastError", s.lastError());
    }
    return m;
  }

  private List<Map<String, Object>> services(MeshSnapshot snapshot) {
    LoadBalancing lb = mesh.feature(LoadBalancing.class);
    List<CompiledService> sorted = new ArrayList<>(snapshot.services().services());
    sorted.sort(Comparator.comparing(CompiledService::key));
    List<Map<String, Object>> out = new ArrayList<>();
    for (CompiledService s : sorted) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("namespace", s.namespace());
      m.put("identity", s.identity().toString());
      m.put("endpoints", endpoints(lb == null ? List.of() : lb.endpointStates(s.key())));
      out.add(m);
    }
    return out;
  }

  private static List<Map<String, Object>> endpoints(List<EndpointState> states) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (EndpointState e : states) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("address", e.address());
      m.put("labels", e.endpoint().labels());
      @Nullable String zone = e.endpoint().zone();
      if (zone != null) {
        m.put("zone", zone);
      }
      m.put("weight", e.endpoint().weight());
      m.put("available", e.available());
      m.put("healthy", e.healthy());
      m.put("ejected", e.ejected());
      m.put("inFlight", e.inFlight());
      out.add(m);
    }
    return out;
  }
}
