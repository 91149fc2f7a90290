package io.inmesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.OutboundExplainer;
import io.inmesh.routing.OutboundExplanation;
import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.ConfigProblem;
import io.inmesh.config.LoadedConfig;
import io.inmesh.inbound.InboundExplainer;
import io.inmesh.inbound.InboundExplanation;
import io.inmesh.inbound.InboundProbe;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.tls.SpiffeId;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mesh explain}: what the mesh does with one request, and why, computed offline by the runtime's own code
 * ({@link InboundExplainer}) against the configuration as the named workload would compile it. Prints one JSON object:
 * {@code {"inbound": {...}}} (the Outbound issue adds an {@code outbound} member next to it).
 */
@Command(
    name = "explain",
    description = {
      "Explains why a request gets the answer it gets: the normalised path, the authorization decision (the policy"
          + " and rule that decided) and the rate limit, as the workload's mesh would decide, printed as JSON.",
      "Rate-limit buckets are taken as full; CUSTOM policies have no external authorizer offline, so a request one"
          + " matches is denied, as at run time without its provider."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:explained (whatever the request's status)",
      "1:the configuration is invalid; every problem is printed to stderr",
      "2:usage error",
      "3:internal error"
    })
final class ExplainCommand implements Callable<Integer> {

  @Spec CommandSpec spec = CommandSpec.create();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--config", required = true, arity = "1..*", paramLabel = "FILE_OR_DIR",
      description = "Configuration files and directories (one configuration).")
  List<Path> config = new ArrayList<>();

  @Option(names = "--workload", required = true, paramLabel = "NAME", description = "The receiving workload.")
  String workload;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "Its namespace (default: its service's, else mesh.defaultNamespace).")
  @Nullable String namespace;

  @Option(names = "--label", paramLabel = "k=v", description = "A label of the workload (repeatable).")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--method", required = true, paramLabel = "METHOD", description = "The HTTP method.")
  String method;

  @Option(names = "--path", required = true, paramLabel = "PATH",
      description = "The request target as sent, unnormalised, optionally with ?query.")
  String path;

  @Option(names = "--header", paramLabel = "'k: v'", description = "A request header (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(names = "--principal", paramLabel = "PRINCIPAL",
      description = "The caller's identity: cluster.local/ns/<ns>/sa/<sa> or a SPIFFE ID (default: plaintext).")
  @Nullable String principal;

  @Option(names = "--source-ip", paramLabel = "IP", description = "The caller's address.")
  @Nullable String sourceIp;

  @Option(names = "--port", paramLabel = "PORT", description = "The port the request arrives on.")
  int port = -1;

  @Option(names = "--to", paramLabel = "SERVICE",
      description = "Explain a call from --workload to SERVICE: adds the client's view (route, destinations,"
          + " timeout, retries, mirror, fault, balancer) as \"outbound\", and explains \"inbound\" at SERVICE with"
          + " the caller's identity (unless --principal says otherwise).")
  @Nullable String to;

  @Override
  public Integer call() throws Exception {
    InboundProbe probe = probe();
    LoadedConfig loaded;
    try {
      loaded = ConfigLoader.create().load(config);
    } catch (ConfigException e) {
      PrintWriter err = spec.commandLine().getErr();
      e.problems().stream().filter(ConfigProblem::isError).forEach(err::println);
      err.println("mesh explain: invalid configuration (" + e.errors().size() + " errors); run 'mesh validate'");
      err.flush();
      return ExitCodes.INVALID;
    }
    Mesh.Builder builder = Mesh.builder().workload(workload);
    if (namespace != null) {
      builder.namespace(namespace);
    }
    labels.forEach(builder::label);
    WorkloadIdentity identity = builder.resolveWorkload(loaded.config());
    MeshSnapshot snapshot = MeshSnapshot.compile(loaded, identity, 1, String.valueOf(config), Instant.now());

    Map<String, Object> root = new LinkedHashMap<>();
    if (to == null) {
      root.put("inbound", json(InboundExplainer.explain(snapshot, probe)));
    } else {
      // The client's view, by the caller's route table; then the server's, with the caller's identity.
      MeshRequest request = MeshRequest.builder().method(method).authority(to).target(path)
          .headers(probe.headers()).build();
      OutboundExplanation outbound = OutboundExplainer.explain(snapshot, request);
      CompiledService target = snapshot.services().resolve(to);
      if (target != null) {
        Mesh.Builder server = Mesh.builder().workload(target.name()).namespace(target.namespace());
        WorkloadIdentity serverIdentity = server.resolveWorkload(loaded.config());
        MeshSnapshot serverSnapshot = MeshSnapshot.compile(loaded, serverIdentity, 1, String.valueOf(config),
            Instant.now());
        String caller = principal != null ? probe.principal()
            : identity.spiffeId(loaded.config().mesh().trustDomain()).principal();
        InboundProbe atServer = new InboundProbe(method, path, to, probe.headers(), caller, sourceIp, port);
        root.put("inbound", json(InboundExplainer.explain(serverSnapshot, atServer)));
      }
      root.put("outbound", json(outbound));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
    out.flush();
    return ExitCodes.OK;
  }

  private InboundProbe probe() {
    MeshHeaders.Builder h = MeshHeaders.builder();
    String authority = null;
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new ParameterException(spec.commandLine(),
            "--header '" + header + "': expected 'name: value'");
      }
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      h.add(name, value);
      if (name.equalsIgnoreCase("host")) {
        authority = value;
      }
    }
    String caller = null;
    if (principal != null) {
      try {
        caller = SpiffeId.fromPrincipal(principal).principal();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--principal: " + e.getMessage());
      }
    }
    if (!path.startsWith("/")) {
      throw new ParameterException(spec.commandLine(), "--path '" + path + "': expected a path starting with /");
    }
    return new InboundProbe(method, path, authority != null ? authority : workload, h.build(), caller, sourceIp,
        port);
  }

  /** The outbound member in the shape: service by name, shares in percent, durations as written. */
  private static Map<String, Object> json(OutboundExplanation e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", e.service() == null ? null : e.service().substring(e.service().indexOf('/') + 1));
    m.put("route", e.route());
    m.put("routeName", e.routeName());
    List<Map<String, Object>> destinations = new ArrayList<>();
    for (OutboundExplanation.Destination d : e.destinations()) {
      Map<String, Object> dm = new LinkedHashMap<>();
      dm.put("service", d.service());
      dm.put("subset", d.subset());
      dm.put("weight", number(d.weight()));
      destinations.add(dm);
    }
    m.put("destinations", destinations);
    m.put("timeout", e.timeout());
    m.put("retries", e.retries());
    List<Map<String, Object>> mirrors = new ArrayList<>();
    for (OutboundExplanation.Mirror mirror : e.mirrors()) {
      Map<String, Object> mm = new LinkedHashMap<>();
      mm.put("service", mirror.service());
      mm.put("subset", mirror.subset());
      mm.put("percentage", number(mirror.percentage()));
      mirrors.add(mm);
    }
    m.put("mirror", mirrors.isEmpty() ? null : mirrors.size() == 1 ? mirrors.get(0) : mirrors);
    m.put("fault", e.fault());
    m.put("loadBalancer", e.loadBalancer());
    if (e.error() != null) {
      m.put("error", e.error());
    }
    return m;
  }

  private static Number number(double v) {
    return v == Math.rint(v) ? (Number) (long) v : (Number) v;
  }

  private static Map<String, Object> json(InboundExplanation e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("normalizedPath", e.normalizedPath());
    m.put("rejected", e.rejected());
    if (e.rejection() != null) {
      m.put("rejection", e.rejection());
    }
    m.put("status", e.status());
    m.put("authorization", e.authorization() == null ? null : json(e.authorization()));
    Map<String, Object> rl = new LinkedHashMap<>();
    rl.put("limited", e.rateLimit().limited());
    rl.put("bucket", e.rateLimit().bucket());
    m.put("rateLimit", rl);
    return m;
  }

  private static Map<String, Object> json(AuthorizationDecision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("decision", d.verdict().name());
    m.put("policy", d.policy());
    m.put("rule", d.rule());
    m.put("reason", d.reason());
    m.put("dryRunMatches", d.dryRunMatches());
    if (d.dryRunVerdict() != null) {
      m.put("dryRunDecision", d.dryRunVerdict().name());
    }
    m.put("auditMatches", d.auditMatches());
    return m;
  }
}
