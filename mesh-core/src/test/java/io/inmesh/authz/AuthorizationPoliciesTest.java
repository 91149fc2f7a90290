package io.inmesh.authz;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.pipeline.MeshHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven: every source, operation and condition field with its notX twin, and Istio's evaluation order. Each
 * row is a policy list (YAML flow style, validated by the real loader), a request, and the expected decision written
 * as {@code VERDICT policy rule} or {@code VERDICT reason}.
 */
class AuthorizationPoliciesTest {
  static final WorkloadIdentity CATALOG =
      new WorkloadIdentity("catalog", "shop", "catalog", Map.of("app", "catalog", "tier", "backend"), null);
  static final String FRONTEND = "cluster.local/ns/shop/sa/frontend";

  /** An ALLOW policy shop/p with the given rules. */
  static String allow(String rules) {
    return "{name: p, namespace: shop, rules: [" + rules + "]}";
  }

  static String from(String source) {
    return "{from: [{source: {" + source + "}}]}";
  }

  static String to(String operation) {
    return "{to: [{operation: {" + operation + "}}]}";
  }

  static String when(String condition) {
    return "{when: [{" + condition + "}]}";
  }

  static Req req() {
    return new Req("GET", "catalog.shop:8080", "/products/1", MeshHeaders.empty(), 8080, FRONTEND, "10.1.2.3",
        "10.0.0.5", null);
  }

  record Req(String method, String authority, String path, MeshHeaders headers, int port, @Nullable String principal,
      @Nullable String sourceIp, @Nullable String destinationIp, @Nullable String sni) {
    Req method(String m) {
      return new Req(m, authority, path, headers, port, principal, sourceIp, destinationIp, sni);
    }

    Req host(String h) {
      return new Req(method, h, path, headers, port, principal, sourceIp, destinationIp, sni);
    }

    Req path(String p) {
      return new Req(method, authority, p, headers, port, principal, sourceIp, destinationIp, sni);
    }

    Req headers(String... nameValues) {
      MeshHeaders.Builder b = MeshHeaders.builder();
      for (int i = 0; i < nameValues.length; i += 2) {
        b.add(nameValues[i], nameValues[i + 1]);
      }
      return new Req(method, authority, path, b.build(), port, principal, sourceIp, destinationIp, sni);
    }

    Req port(int p) {
      return new Req(method, authority, path, headers, p, principal, sourceIp, destinationIp, sni);
    }

    Req principal(@Nullable String p) {
      return new Req(method, authority, path, headers, port, p, sourceIp, destinationIp, sni);
    }

    Req sourceIp(String ip) {
      return new Req(method, authority, path, headers, port, principal, ip, destinationIp, sni);
    }

    Req sni(String s) {
      return new Req(method, authority, path, headers, port, principal, sourceIp, destinationIp, s);
    }

    AuthorizationRequest toRequest() {
      return new AuthorizationRequest(method, authority, path, headers, port, principal, sourceIp,
          AuthorizationRequest.remoteIp(headers, sourceIp), destinationIp, sni);
    }
  }

  static final String ALLOWED = "ALLOW shop/p 0";
  static final String NOT_MATCHED = "DENY no ALLOW policy matched";

  static Stream<Arguments> fields() {
    List<Arguments> rows = new ArrayList<>();
    UnaryOperator<Req> same = r -> r;
    // principals / notPrincipals
    row(rows, "principal exact", from("principals: [" + FRONTEND + "]"), same, ALLOWED);
    row(rows, "principal other", from("principals: [cluster.local/ns/shop/sa/cart]"), same, NOT_MATCHED);
    row(rows, "principal prefix", from("principals: [cluster.local/ns/shop/*]"), same, ALLOWED);
    row(rows, "principal suffix", from("principals: ['*/sa/frontend']"), same, ALLOWED);
    row(rows, "principal as SPIFFE ID", from("principals: [spiffe://" + FRONTEND + "]"), same, ALLOWED);
    row(rows, "principal * needs a peer identity", from("principals: ['*']"), r -> r.principal(null), NOT_MATCHED);
    row(rows, "principal * with identity", from("principals: ['*']"), same, ALLOWED);
    row(rows, "notPrincipals excludes", from("notPrincipals: [" + FRONTEND + "]"), same, NOT_MATCHED);
    row(rows, "notPrincipals passes others", from("notPrincipals: [cluster.local/ns/shop/sa/cart]"), same, ALLOWED);
    row(rows, "notPrincipals passes plaintext", from("notPrincipals: ['*']"), r -> r.principal(null), ALLOWED);
    // namespaces / notNamespaces (from the principal)
    row(rows, "namespace", from("namespaces: [shop]"), same, ALLOWED);
    row(rows, "namespace other", from("namespaces: [billing]"), same, NOT_MATCHED);
    row(rows, "namespace prefix", from("namespaces: ['sh*']"), same, ALLOWED);
    row(rows, "namespace without identity", from("namespaces: [shop]"), r -> r.principal(null), NOT_MATCHED);
    row(rows, "notNamespaces", from("notNamespaces: [shop]"), same, NOT_MATCHED);
    row(rows, "notNamespaces other", from("notNamespaces: [sandbox]"), same, ALLOWED);
    // ipBlocks / notIpBlocks (the connection's peer)
    row(rows, "ipBlocks CIDR", from("ipBlocks: [10.0.0.0/8]"), same, ALLOWED);
    row(rows, "ipBlocks single", from("ipBlocks: [10.1.2.3]"), same, ALLOWED);
    row(rows, "ipBlocks other", from("ipBlocks: [192.168.0.0/16]"), same, NOT_MATCHED);
    row(rows, "ipBlocks odd prefix", from("ipBlocks: [10.1.2.0/23]"), same, ALLOWED);
    row(rows, "ipBlocks odd prefix outside", from("ipBlocks: [10.1.4.0/23]"), same, NOT_MATCHED);
    row(rows, "ipBlocks IPv6", from("ipBlocks: ['2001:db8::/32']"), r -> r.sourceIp("2001:db8::7"), ALLOWED);
    row(rows, "ipBlocks mapped IPv4", from("ipBlocks: [10.0.0.0/8]"), r -> r.sourceIp("::ffff:10.9.8.7"), ALLOWED);
    row(rows, "ipBlocks ignore X-Forwarded-For", from("ipBlocks: [192.168.0.0/16]"),
        r -> r.headers("x-forwarded-for", "192.168.1.1"), NOT_MATCHED);
    row(rows, "notIpBlocks", from("notIpBlocks: [10.1.0.0/16]"), same, NOT_MATCHED);
    row(rows, "notIpBlocks other", from("notIpBlocks: [10.9.0.0/16]"), same, ALLOWED);
    // remoteIpBlocks / notRemoteIpBlocks (last X-Forwarded-For entry, else the peer)
    row(rows, "remoteIpBlocks from XFF", from("remoteIpBlocks: [192.168.0.0/16]"),
        r -> r.headers("x-forwarded-for", "1.2.3.4, 192.168.7.7"), ALLOWED);
    row(rows, "remoteIpBlocks uses the last XFF entry", from("remoteIpBlocks: [1.2.3.4]"),
        r -> r.headers("x-forwarded-for", "1.2.3.4, 192.168.7.7"), NOT_MATCHED);
    row(rows, "remoteIpBlocks without XFF is the peer", from("remoteIpBlocks: [10.1.2.3]"), same, ALLOWED);
    row(rows, "remoteIpBlocks ignores a host name in XFF", from("remoteIpBlocks: [0.0.0.0/0]"),
        r -> r.headers("x-forwarded-for", "evil.example"), NOT_MATCHED);
    row(rows, "notRemoteIpBlocks", from("notRemoteIpBlocks: [192.168.7.7]"),
        r -> r.headers("x-forwarded-for", "192.168.7.7"), NOT_MATCHED);
    // hosts / notHosts
    row(rows, "host without port matches host:port", to("hosts: [catalog.shop]"), same, ALLOWED);
    row(rows, "host with port", to("hosts: ['catalog.shop:8080']"), same, ALLOWED);
    row(rows, "host ignores case", to("hosts: [Catalog.Shop]"), same, ALLOWED);
    row(rows, "host suffix", to("hosts: ['*.shop']"), same, ALLOWED);
    row(rows, "host other", to("hosts: [cart.shop]"), same, NOT_MATCHED);
    row(rows, "notHosts", to("notHosts: [catalog.shop]"), same, NOT_MATCHED);
    row(rows, "notHosts other", to("notHosts: [admin.shop]"), same, ALLOWED);
    // ports / notPorts
    row(rows, "port", to("ports: ['8080']"), same, ALLOWED);
    row(rows, "port other", to("ports: ['9090']"), same, NOT_MATCHED);
    row(rows, "port unknown", to("ports: ['8080']"), r -> r.port(-1), NOT_MATCHED);
    row(rows, "notPorts", to("notPorts: ['8080']"), same, NOT_MATCHED);
    row(rows, "notPorts other", to("notPorts: ['9090']"), same, ALLOWED);
    // methods / notMethods
    row(rows, "method", to("methods: [GET, HEAD]"), same, ALLOWED);
    row(rows, "method other", to("methods: [POST]"), same, NOT_MATCHED);
    row(rows, "method is case-sensitive", to("methods: [GET]"), r -> r.method("get"), NOT_MATCHED);
    row(rows, "notMethods", to("notMethods: [GET]"), same, NOT_MATCHED);
    row(rows, "notMethods other", to("notMethods: [DELETE]"), same, ALLOWED);
    // paths / notPaths
    row(rows, "path exact", to("paths: [/products/1]"), same, ALLOWED);
    row(rows, "path exact other", to("paths: [/products]"), same, NOT_MATCHED);
    row(rows, "path prefix", to("paths: ['/products/*']"), same, ALLOWED);
    row(rows, "path prefix needs the slash", to("paths: ['/products/*']"), r -> r.path("/products"), NOT_MATCHED);
    row(rows, "path suffix", to("paths: ['*/1']"), same, ALLOWED);
    row(rows, "path any", to("paths: ['*']"), same, ALLOWED);
    row(rows, "path template one segment", to("paths: ['/products/{*}']"), same, ALLOWED);
    row(rows, "path template not two segments", to("paths: ['/products/{*}']"), r -> r.path("/products/1/x"),
        NOT_MATCHED);
    row(rows, "path template inner", to("paths: ['/products/{*}/reviews']"), r -> r.path("/products/9/reviews"),
        ALLOWED);
    row(rows, "path template rest", to("paths: ['/products/{**}']"), r -> r.path("/products/1/x/y"), ALLOWED);
    row(rows, "path template quotes the rest", to("paths: ['/a.b/{*}']"), r -> r.path("/aXb/1"), NOT_MATCHED);
    row(rows, "notPaths", to("notPaths: ['/products/*']"), same, NOT_MATCHED);
    row(rows, "notPaths other", to("notPaths: ['/admin/*']"), same, ALLOWED);
    // when conditions
    row(rows, "header value", when("key: 'request.headers[x-tenant]', values: [acme]"),
        r -> r.headers("X-Tenant", "acme"), ALLOWED);
    row(rows, "header other value", when("key: 'request.headers[x-tenant]', values: [acme]"),
        r -> r.headers("x-tenant", "globex"), NOT_MATCHED);
    row(rows, "header absent", when("key: 'request.headers[x-tenant]', values: ['*']"), same, NOT_MATCHED);
    row(rows, "header present", when("key: 'request.headers[x-tenant]', values: ['*']"),
        r -> r.headers("x-tenant", "x"), ALLOWED);
    row(rows, "header repeated is joined", when("key: 'request.headers[x-tenant]', values: ['a,b']"),
        r -> r.headers("x-tenant", "a", "x-tenant", "b"), ALLOWED);
    row(rows, "header notValues", when("key: 'request.headers[x-tenant]', notValues: ['blocked-*']"),
        r -> r.headers("x-tenant", "blocked-1"), NOT_MATCHED);
    row(rows, "header notValues absent", when("key: 'request.headers[x-tenant]', notValues: ['blocked-*']"), same,
        ALLOWED);
    row(rows, "source.ip", when("key: source.ip, values: [10.0.0.0/8]"), same, ALLOWED);
    row(rows, "source.ip notValues", when("key: source.ip, notValues: [10.0.0.0/8]"), same, NOT_MATCHED);
    row(rows, "remote.ip", when("key: remote.ip, values: [172.16.0.0/12]"),
        r -> r.headers("x-forwarded-for", "172.16.1.1"), ALLOWED);
    row(rows, "source.namespace", when("key: source.namespace, values: [shop]"), same, ALLOWED);
    row(rows, "source.namespace notValues", when("key: source.namespace, notValues: [shop]"), same, NOT_MATCHED);
    row(rows, "source.principal", when("key: source.principal, values: ['*/sa/frontend']"), same, ALLOWED);
    row(rows, "destination.port", when("key: destination.port, values: ['8080']"), same, ALLOWED);
    row(rows, "destination.port other", when("key: destination.port, values: ['9090']"), same, NOT_MATCHED);
    row(rows, "destination.ip", when("key: destination.ip, values: [10.0.0.0/24]"), same, ALLOWED);
    row(rows, "connection.sni", when("key: connection.sni, values: ['*.shop']"), r -> r.sni("catalog.shop"),
        ALLOWED);
    row(rows, "connection.sni unknown", when("key: connection.sni, values: ['*']"), same, NOT_MATCHED);
    // combining
    row(rows, "fields in a source are ANDed", from("principals: [" + FRONTEND + "], ipBlocks: [192.168.0.0/16]"),
        same, NOT_MATCHED);
    row(rows, "sources are ORed", "{from: [{source: {ipBlocks: [192.168.0.0/16]}}, {source: {namespaces: [shop]}}]}",
        same, ALLOWED);
    row(rows, "from AND to", "{from: [{source: {namespaces: [shop]}}], to: [{operation: {methods: [POST]}}]}", same,
        NOT_MATCHED);
    row(rows, "all when conditions", "{when: [{key: source.namespace, values: [shop]},"
        + " {key: destination.port, values: ['9']}]}", same, NOT_MATCHED);
    row(rows, "the matching rule's index", to("methods: [POST]") + ", " + to("methods: [GET]"), same,
        "ALLOW shop/p 1");
    row(rows, "empty rule matches everything", "{}", same, ALLOWED);
    return rows.stream();
  }

  private static void row(List<Arguments> rows, String name, String rules, UnaryOperator<Req> request,
      String expected) {
    rows.add(Arguments.of(name, allow(rules), request.apply(req()), expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fields")
  void everyFieldMatchesAsIstioDoes(String name, String policy, Req request, String expected) {
    assertThat(decide(List.of(policy), request)).isEqualTo(expected);
  }

  static Stream<Arguments> order() {
    String denyAdmin = "{name: deny-admin, namespace: shop, action: DENY, rules: [" + to("paths: ['/admin/*']") + "]}";
    String allowGet = "{name: allow-get, namespace: shop, rules: [" + to("methods: [GET]") + "]}";
    String allowNothing = "{name: allow-nothing, namespace: shop}";
    String meshWideDeny = "{name: no-delete, action: DENY, rules: [" + to("methods: [DELETE]") + "]}";
    String audit = "{name: audit-all, namespace: shop, action: AUDIT, rules: [{}]}";
    String otherNs = "{name: elsewhere, namespace: billing, rules: [{}]}";
    String otherLabels = "{name: frontend-only, selector: {matchLabels: {app: frontend}}, rules: [{}]}";
    String selected = "{name: backend, selector: {matchLabels: {tier: backend}}, rules: [" + to("paths: ['/p*']")
        + "]}";
    Req admin = req().path("/admin/users");
    return Stream.of(
        Arguments.of("no policies allow", List.of(), req(), "ALLOW no ALLOW policy applies to the workload"),
        Arguments.of("spec: {} denies everything", List.of(allowNothing), req(), NOT_MATCHED),
        Arguments.of("allow-nothing next to an allow", List.of(allowNothing, allowGet), req(),
            "ALLOW shop/allow-get 0"),
        Arguments.of("DENY before ALLOW", List.of(allowGet, denyAdmin), admin, "DENY shop/deny-admin 0"),
        Arguments.of("DENY only: the rest is allowed", List.of(denyAdmin), req(),
            "ALLOW no ALLOW policy applies to the workload"),
        Arguments.of("ALLOW policies exist and none match", List.of(allowGet), req().method("POST"), NOT_MATCHED),
        Arguments.of("mesh-wide policy is named without namespace", List.of(meshWideDeny), req().method("DELETE"),
            "DENY no-delete 0"),
        Arguments.of("AUDIT never decides", List.of(audit), req(), "ALLOW no ALLOW policy applies to the workload"),
        Arguments.of("other namespace does not apply", List.of(otherNs, allowGet), req().method("PUT"), NOT_MATCHED),
        Arguments.of("only other namespace: allow", List.of(otherNs), req().method("PUT"),
            "ALLOW no ALLOW policy applies to the workload"),
        Arguments.of("selector of other labels does not apply", List.of(otherLabels), req(),
            "ALLOW no ALLOW policy applies to the workload"),
        Arguments.of("selector of own labels applies", List.of(selected), req().path("/x"), NOT_MATCHED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("order")
  void evaluatesInIstiosOrder(String name, List<String> policies, Req request, String expected) {
    assertThat(decide(policies, request)).isEqualTo(expected);
  }

  @Test
  void recordsAuditMatchesWithoutChangingTheVerdict() {
    AuthorizationDecision d = compile(List.of("{name: audit-all, namespace: shop, action: AUDIT, rules: [{}]}",
        "{name: allow-get, namespace: shop, rules: [" + to("methods: [GET]") + "]}"))
        .evaluate(req().toRequest(), name -> null);
    assertThat(d.verdict()).isEqualTo(AuthorizationDecision.Verdict.ALLOW);
    assertThat(d.auditMatches()).containsExactly("shop/audit-all");
  }

  @Test
  void dryRunPoliciesAreEvaluatedAndReportedButNeverEnforced() {
    AuthorizationPolicies p = compile(List.of(
        "{name: deny-get, namespace: shop, action: DENY, dryRun: true, rules: [" + to("methods: [GET]") + "]}"));
    AuthorizationDecision d = p.evaluate(req().toRequest(), name -> null);
    assertThat(d.verdict()).isEqualTo(AuthorizationDecision.Verdict.ALLOW);
    assertThat(d.dryRunMatches()).containsExactly("shop/deny-get");
    assertThat(d.dryRunVerdict()).isEqualTo(AuthorizationDecision.Verdict.DENY);

    AuthorizationDecision post = p.evaluate(req().method("POST").toRequest(), name -> null);
    assertThat(post.dryRunMatches()).isEmpty();
    assertThat(post.dryRunVerdict()).isEqualTo(AuthorizationDecision.Verdict.ALLOW);
  }

  @Test
  void aDryRunAllowNothingReportsTheDenialItWouldCause() {
    AuthorizationDecision d = compile(List.of("{name: lockdown, namespace: shop, dryRun: true}"))
        .evaluate(req().toRequest(), name -> null);
    assertThat(d.allowed()).isTrue();
    assertThat(d.dryRunVerdict()).isEqualTo(AuthorizationDecision.Verdict.DENY);
  }

  static final String CUSTOM = "{name: ext, namespace: shop, action: CUSTOM, provider: {name: opa}, rules: ["
      + to("paths: ['/admin/*']") + "]}";

  @Test
  void customPoliciesAskTheirAuthorizerOnlyForRequestsTheyMatch() {
    AtomicInteger calls = new AtomicInteger();
    ExternalAuthorizer refuses = authorizer(r -> {
      calls.incrementAndGet();
      return false;
    });
    AuthorizationPolicies p = compile(List.of(CUSTOM, "{name: all, namespace: shop, rules: [{}]}"));
    assertThat(p.evaluate(req().toRequest(), name -> refuses).allowed()).isTrue();
    assertThat(calls).hasValue(0);

    AuthorizationDecision d = p.evaluate(req().path("/admin/x").toRequest(), name -> name.equals("opa") ? refuses
        : null);
    assertThat(render(d)).isEqualTo("DENY shop/ext 0");
    assertThat(d.reason()).contains("denied by external authorizer 'opa'");
    assertThat(calls).hasValue(1);
  }

  @Test
  void aCustomAllowStillGoesThroughDenyAndAllowPolicies() {
    ExternalAuthorizer allows = authorizer(r -> true);
    String deny = "{name: deny-admin, namespace: shop, action: DENY, rules: [" + to("paths: ['/admin/secret']") + "]}";
    AuthorizationPolicies p = compile(List.of(CUSTOM, deny));
    assertThat(render(p.evaluate(req().path("/admin/x").toRequest(), name -> allows)))
        .isEqualTo("ALLOW no ALLOW policy applies to the workload");
    assertThat(render(p.evaluate(req().path("/admin/secret").toRequest(), name -> allows)))
        .isEqualTo("DENY shop/deny-admin 0");
  }

  @Test
  void aMissingOrFailingAuthorizerDenies() {
    AuthorizationPolicies p = compile(List.of(CUSTOM));
    AuthorizationDecision missing = p.evaluate(req().path("/admin/x").toRequest(), name -> null);
    assertThat(missing.allowed()).isFalse();
    assertThat(missing.reason()).contains("not registered");
    AuthorizationDecision failing = p.evaluate(req().path("/admin/x").toRequest(), name -> authorizer(r -> {
      throw new IllegalStateException("down");
    }));
    assertThat(failing.allowed()).isFalse();
    assertThat(failing.reason()).contains("failed").contains("down");
  }

  @Test
  void anErrorWhileEvaluatingDenies() {
    MeshHeaders broken = new MeshHeaders() {
      @Override
      public @Nullable String get(String name) {
        throw new IllegalStateException("broken headers");
      }

      @Override
      public List<String> getAll(String name) {
        throw new IllegalStateException("broken headers");
      }

      @Override
      public Set<String> names() {
        return Set.of();
      }
    };
    AuthorizationPolicies p = compile(List.of("{name: deny-tenant, namespace: shop, action: DENY, rules: ["
        + when("key: 'request.headers[x-tenant]', values: [evil]") + "]}"));
    AuthorizationRequest r = new AuthorizationRequest("GET", "catalog", "/", broken, 80, null, null, null, null, null);
    AuthorizationDecision d = p.evaluate(r, name -> null);
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).contains("error while evaluating").contains("broken headers");
  }

  @Test
  void compilesOnlyThePoliciesThatSelectTheWorkload() {
    AuthorizationPolicies p = compile(List.of("{name: mine, namespace: shop, rules: [{}]}",
        "{name: theirs, namespace: billing, rules: [{}]}", "{name: everyone}",
        "{name: tiered, selector: {matchLabels: {tier: backend}}}",
        "{name: frontend, selector: {matchLabels: {app: frontend}}}"));
    assertThat(p.policyIds()).containsExactly("shop/mine", "everyone", "tiered");
  }

  // ---------------------------------------------------------------- helpers

  static AuthorizationPolicies compile(List<String> policies) {
    String yaml = "inbound:\n  authorization:\n" + policies.stream().map(p -> "    - " + p + "\n")
        .reduce("", String::concat);
    if (policies.isEmpty()) {
      yaml = "inbound: {authorization: []}\n";
    }
    var loaded = ConfigLoader.create().loadDocuments(List.of(new ConfigDocument("test.yaml", yaml)));
    return AuthorizationPolicies.compile(loaded.config().inbound(), CATALOG);
  }

  static String decide(List<String> policies, Req request) {
    return render(compile(policies).evaluate(request.toRequest(), name -> null));
  }

  static String render(AuthorizationDecision d) {
    return d.policy() == null ? d.verdict() + " " + d.reason() : d.verdict() + " " + d.policy() + " " + d.rule();
  }

  interface Check {
    boolean allows(AuthorizationRequest r) throws Exception;
  }

  static ExternalAuthorizer authorizer(Check check) {
    return new ExternalAuthorizer() {
      @Override
      public String name() {
        return "opa";
      }

      @Override
      public boolean allows(AuthorizationRequest request) throws Exception {
        return check.allows(request);
      }
    };
  }
}
