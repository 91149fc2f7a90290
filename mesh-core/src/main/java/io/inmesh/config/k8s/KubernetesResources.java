package io.inmesh.config.k8s;

import io.inmesh.config.InboundConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.ServiceConfig;
import io.inmesh.config.TelemetryConfig;
import io.inmesh.config.internal.ConfigValidator;
import io.inmesh.config.internal.Location;
import io.inmesh.config.internal.Problems;
import io.inmesh.config.internal.RecordBinder;
import io.inmesh.config.internal.YamlNode;
import io.inmesh.config.internal.YamlNode.MapNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Istio and Linkerd resources (documents with {@code apiVersion} and {@code kind}) translated into the native model,
 * merged with the native services of the same configuration.
 *
 * <p>Merging: a resource contributes one part of a service (a VirtualService, a TrafficSplit or a ServiceProfile its
 * routes; a DestinationRule its subsets and traffic policy; a ServiceEntry the service itself). Each part comes from
 * one place: two resources for the same part of one host, or a resource and the native service both defining it, is
 * an error naming both. (A TrafficSplit and a ServiceProfile combine, as in Linkerd: the profile's routes send to the
 * split's backends.) A host that resources name but nothing defines is a Kubernetes service resolved through DNS.
 */
public final class KubernetesResources {
  private KubernetesResources() {}

  /** The kinds InMesh reads, by API group. */
  private static final Map<String, Set<String>> READ = Map.of(
      "networking.istio.io", Set.of("VirtualService", "DestinationRule", "ServiceEntry", "EnvoyFilter"),
      "security.istio.io", Set.of("PeerAuthentication", "AuthorizationPolicy"),
      "telemetry.istio.io", Set.of("Telemetry"),
      "split.smi-spec.io", Set.of("TrafficSplit"),
      "linkerd.io", Set.of("ServiceProfile"),
      "policy.linkerd.io", Set.of("Server", "AuthorizationPolicy", "MeshTLSAuthentication", "NetworkAuthentication"));

  /** Valid kinds of these meshes that InMesh does not implement: a warning (an error when strict). */
  private static final Map<String, Set<String>> IGNORED = Map.of(
      "networking.istio.io", Set.of("Gateway", "Sidecar", "WorkloadEntry", "WorkloadGroup", "ProxyConfig"),
      "security.istio.io", Set.of("RequestAuthentication"),
      "extensions.istio.io", Set.of("WasmPlugin"),
      "policy.linkerd.io", Set.of("ServerAuthorization", "HTTPRoute", "GRPCRoute", "HTTPLocalRateLimitPolicy",
          "EgressNetwork"),
      "gateway.networking.k8s.io", Set.of("HTTPRoute", "GRPCRoute", "Gateway"));

  /** The seed examples' group for Linkerd's policy resources. */
  private static final String SEED_LINKERD_GROUP = "security.linkerd.io";

  private static final List<String> ORDER = List.of("ServiceEntry", "DestinationRule", "VirtualService",
      "TrafficSplit", "ServiceProfile");

  /** True when {@code document} is a Kubernetes resource rather than a native mesh document. */
  public static boolean isResource(MapNode document) {
    return document.get("apiVersion") != null && document.get("kind") != null;
  }

  /**
   * The translation of a configuration's resources.
   *
   * @param services the native services (merged with what resources contribute), then the services only resources
   *     define
   * @param inbound the policies the resources define (to be added to the native ones)
   * @param telemetry the mesh-wide telemetry a Telemetry resource defines, or null
   * @param provenance where the records built here stand in the source, for the validator
   * @param complete false when a resource was left out because of its errors
   */
  public record Result(List<ServiceConfig> services, InboundConfig inbound, @Nullable TelemetryConfig telemetry,
      ConfigValidator.Provenance provenance, boolean complete) {}

  /**
   * Translates {@code resources}, reporting into {@code problems}.
   *
   * @param nativeServices the services of the native documents
   * @param mesh the mesh settings in force (default namespace, trust domain, default retries)
   * @param telemetry the telemetry settings in force
   * @param nativeTelemetry where the native documents define telemetry, or null
   * @param strict report fields InMesh does not implement as errors instead of warnings
   */
  public static Result translate(List<MapNode> resources, List<ServiceConfig> nativeServices,
      MeshConfig.MeshSettings mesh, TelemetryConfig telemetry, @Nullable Location nativeTelemetry,
      RecordBinder binder, Problems problems, boolean strict) {
    if (resources.isEmpty()) {
      return new Result(nativeServices, new InboundConfig(List.of(), List.of(), List.of(), List.of()), null,
          ConfigValidator.Provenance.NONE, true);
    }
    Translation cx = new Translation(binder, problems, strict, mesh, nativeServices);
    if (nativeTelemetry != null) {
      cx.telemetryClaim = new Translation.Claim("the telemetry section", nativeTelemetry);
    }
    Istio istio = new Istio(cx);
    Linkerd linkerd = new Linkerd(cx);
    List<Resource> read = new ArrayList<>();
    for (MapNode map : resources) {
      Resource r = resource(map, cx);
      if (r != null) {
        read.add(r);
      }
    }
    // Services are defined before they are referred to, whatever the order of the files.
    for (String kind : ORDER) {
      for (Resource r : read) {
        if (r.kind().equals(kind)) {
          handler(r.kind(), r.group(), istio, linkerd, telemetry).accept(r, cx);
        }
      }
    }
    for (Resource r : read) {
      if (!ORDER.contains(r.kind())) {
        handler(r.kind(), r.group(), istio, linkerd, telemetry).accept(r, cx);
      }
    }
    linkerd.finish();
    InboundConfig inbound = new InboundConfig(cx.peerAuthentication, cx.authorization, cx.rateLimits, List.of());
    return new Result(cx.services(), inbound, cx.telemetry, cx, cx.complete);
  }

  private static BiConsumer<Resource, Translation> handler(String kind, String group, Istio istio, Linkerd linkerd,
      TelemetryConfig telemetry) {
    boolean isIstio = group.endsWith("istio.io");
    return switch (kind) {
      case "VirtualService" -> (r, cx) -> istio.virtualService(r);
      case "DestinationRule" -> (r, cx) -> istio.destinationRule(r);
      case "ServiceEntry" -> (r, cx) -> istio.serviceEntry(r);
      case "EnvoyFilter" -> (r, cx) -> istio.envoyFilter(r);
      case "PeerAuthentication" -> (r, cx) -> istio.peerAuthentication(r);
      case "AuthorizationPolicy" -> isIstio ? (r, cx) -> istio.authorizationPolicy(r)
          : (r, cx) -> linkerd.authorizationPolicy(r);
      case "Telemetry" -> (r, cx) -> istio.telemetry(r, telemetry);
      case "TrafficSplit" -> (r, cx) -> linkerd.trafficSplit(r);
      case "ServiceProfile" -> (r, cx) -> linkerd.serviceProfile(r);
      case "Server" -> (r, cx) -> linkerd.server(r);
      case "MeshTLSAuthentication" -> (r, cx) -> linkerd.meshTlsAuthentication(r);
      case "NetworkAuthentication" -> (r, cx) -> linkerd.networkAuthentication(r);
      default -> throw new IllegalStateException("no handler for " + kind);
    };
  }

  /** The resource's kind and metadata, checked; null (reported) when it is not one InMesh reads. */
  private static @Nullable Resource resource(MapNode map, Translation cx) {
    Problems problems = cx.problems;
    YamlNode.Entry kindEntry = map.entries().get("kind");
    String apiVersion = Schema.text(map.get("apiVersion"));
    String kind = Schema.text(kindEntry.value());
    if (apiVersion == null || kind == null) {
      problems.error(apiVersion == null ? map.get("apiVersion").location() : kindEntry.value().location(),
          apiVersion == null ? "apiVersion" : "kind", "expected a string", "apiVersion: group/version, kind: Kind");
      cx.complete = false;
      return null;
    }
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    if (group.equals(SEED_LINKERD_GROUP)) {
      problems.warning(map.get("apiVersion").location(), "apiVersion", "Linkerd's policy resources are in group"
          + " policy.linkerd.io: read as policy.linkerd.io" + apiVersion.substring(slash), null);
      group = "policy.linkerd.io";
    }
    for (YamlNode.Entry e : map.entries().values()) {
      if (!Set.of("apiVersion", "kind", "metadata", "spec", "status").contains(e.key())) {
        problems.error(e.keyLocation(), kind + "." + e.key(), "unknown field '" + e.key() + "'",
            "one of apiVersion, kind, metadata, spec");
      }
    }
    if (!READ.getOrDefault(group, Set.of()).contains(kind)) {
      if (IGNORED.getOrDefault(group, Set.of()).contains(kind)) {
        cx.unsupported(kindEntry.keyLocation(), "kind", "kind " + kind + " (" + apiVersion + ")",
            "the resource is ignored");
        return null;
      }
      problems.error(kindEntry.keyLocation(), "kind", "kind " + kind + " (" + apiVersion + ") is not a resource"
          + " InMesh reads", "Istio VirtualService, DestinationRule, ServiceEntry, EnvoyFilter, PeerAuthentication,"
          + " AuthorizationPolicy, Telemetry; Linkerd TrafficSplit, ServiceProfile, Server, AuthorizationPolicy,"
          + " MeshTLSAuthentication, NetworkAuthentication; or the native format");
      cx.complete = false;
      return null;
    }
    YamlNode metaNode = map.get("metadata");
    if (!(metaNode instanceof MapNode meta)) {
      problems.error(metaNode == null ? map.location() : metaNode.location(), kind + ".metadata",
          metaNode == null ? "missing metadata" : "expected a map, got " + metaNode.kindName(),
          "metadata: {name: ..., namespace: ...}");
      cx.complete = false;
      return null;
    }
    String name = Schema.text(meta.get("name"));
    String ns = Schema.text(meta.get("namespace"));
    String namespace = ns != null ? ns : cx.mesh.defaultNamespace();
    String path = (name == null ? kind : namespace + "/" + name) + ": metadata";
    MapNode pruned = (MapNode) Schema.prune(meta, Specs.ObjectMeta.class, path, cx, Map.of());
    Specs.ObjectMeta bound = cx.binder.bind(pruned, Specs.ObjectMeta.class, path);
    if (bound == null) {
      cx.complete = false;
      return null;
    }
    YamlNode spec = map.get("spec");
    MapNode specMap;
    if (spec == null || spec instanceof YamlNode.ScalarNode s && s.isNull()) {
      specMap = new MapNode(spec == null ? map.location() : spec.location(), Map.of());
    } else if (spec instanceof MapNode m) {
      specMap = m;
    } else {
      problems.error(spec.location(), namespace + "/" + bound.name() + ": spec", "expected a map, got "
          + spec.kindName(), null);
      cx.complete = false;
      return null;
    }
    return new Resource(group, kind, bound, namespace, specMap, map.location());
  }
}
