package io.inmesh.routing;

import static io.inmesh.routing.RoutingFixtures.compile;
import static io.inmesh.routing.RoutingFixtures.headers;
import static io.inmesh.routing.RoutingFixtures.request;
import static io.inmesh.routing.RoutingFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table of match conditions against requests: each row compiles one rule with the given {@code match:} through the
 * YAML loader and the snapshot compiler, and checks whether the request selects it (Istio VirtualService semantics).
 */
class RouteMatchTest {

  /** One row: the behaviour, the YAML (flow style) of {@code match:}, the request, and whether the rule applies. */
  record Row(String behaviour, String match, String method, String target, MeshHeaders headers, boolean matches) {
    @Override
    public String toString() {
      return behaviour;
    }
  }

  private static Row row(String behaviour, String match, String target, boolean matches) {
    return new Row(behaviour, match, "GET", target, MeshHeaders.empty(), matches);
  }

  private static Row row(String behaviour, String match, String method, String target, MeshHeaders headers,
      boolean matches) {
    return new Row(behaviour, match, method, target, headers, matches);
  }

  static Stream<Row> uriRows() {
    return Stream.of(
        row("uri exact matches the same path", "[{uri: {exact: /login}}]", "/login", true),
        row("uri exact rejects a longer path", "[{uri: {exact: /login}}]", "/login/x", false),
        row("uri exact is case sensitive by default", "[{uri: {exact: /login}}]", "/LOGIN", false),
        row("uri exact with ignoreUriCase ignores case", "[{uri: {exact: /login}, ignoreUriCase: true}]", "/LoGiN",
            true),
        row("uri prefix matches a longer path", "[{uri: {prefix: /api/}}]", "/api/users/7", true),
        row("uri prefix matches the prefix itself", "[{uri: {prefix: /api/}}]", "/api/", true),
        row("uri prefix rejects another path", "[{uri: {prefix: /api/}}]", "/apix/users", false),
        row("uri prefix is case sensitive by default", "[{uri: {prefix: /api/}}]", "/API/users", false),
        row("uri prefix with ignoreUriCase ignores case", "[{uri: {prefix: /api/}, ignoreUriCase: true}]",
            "/API/users", true),
        row("uri regex matches the whole path", "[{uri: {regex: '/users/[0-9]+'}}]", "/users/42", true),
        row("uri regex must match the full value, not a substring", "[{uri: {regex: '/users/[0-9]+'}}]",
            "/users/42/orders", false),
        row("uri regex is not anchored at a later offset", "[{uri: {regex: '[0-9]+'}}]", "/users/42", false),
        row("uri regex with ignoreUriCase ignores case", "[{uri: {regex: '/users/[a-z]+'}, ignoreUriCase: true}]",
            "/USERS/Bob", true),
        row("uri regex is case sensitive by default", "[{uri: {regex: '/users/[a-z]+'}}]", "/USERS/bob", false),
        row("uri exact ignores the query string", "[{uri: {exact: /search}}]", "/search?q=shoes", true),
        row("uri regex never sees the query string", "[{uri: {regex: '.*q=.*'}}]", "/search?q=shoes", false),
        row("uri prefix never sees the query string", "[{uri: {prefix: '/search?q'}}]", "/search?q=shoes", false));
  }

  static Stream<Row> methodRows() {
    return Stream.of(
        row("method exact matches the same method", "[{method: {exact: POST}}]", "POST", "/", MeshHeaders.empty(),
            true),
        row("method exact rejects another method", "[{method: {exact: POST}}]", "GET", "/", MeshHeaders.empty(),
            false),
        row("method regex matches one of several methods", "[{method: {regex: 'GET|HEAD'}}]", "HEAD", "/",
            MeshHeaders.empty(), true),
        row("method regex rejects a method outside it", "[{method: {regex: 'GET|HEAD'}}]", "DELETE", "/",
            MeshHeaders.empty(), false));
  }

  static Stream<Row> headerRows() {
    String canary = "[{headers: {x-canary: {exact: 'true'}}}]";
    return Stream.of(
        row("header exact matches the same value", canary, "GET", "/", headers("x-canary", "true"), true),
        row("header exact rejects another value", canary, "GET", "/", headers("x-canary", "false"), false),
        row("header exact rejects an absent header", canary, "GET", "/", MeshHeaders.empty(), false),
        row("header names are case insensitive", canary, "GET", "/", headers("X-Canary", "true"), true),
        row("header names in the config are case insensitive", "[{headers: {X-Canary: {exact: 'true'}}}]", "GET",
            "/", headers("x-canary", "true"), true),
        row("header values are case sensitive", canary, "GET", "/", headers("x-canary", "TRUE"), false),
        row("header prefix matches a longer value", "[{headers: {user-agent: {prefix: 'Mozilla/'}}}]", "GET", "/",
            headers("user-agent", "Mozilla/5.0"), true),
        row("header prefix rejects another value", "[{headers: {user-agent: {prefix: 'Mozilla/'}}}]", "GET", "/",
            headers("user-agent", "curl/8"), false),
        row("header regex matches the whole value", "[{headers: {x-user: {regex: 'user-[0-9]+'}}}]", "GET", "/",
            headers("x-user", "user-17"), true),
        row("header regex must match the full value", "[{headers: {x-user: {regex: 'user-[0-9]+'}}}]", "GET", "/",
            headers("x-user", "superuser-17"), false),
        row("an empty header condition means present", "[{headers: {x-debug: {}}}]", "GET", "/",
            headers("x-debug", ""), true),
        row("an empty header condition rejects an absent header", "[{headers: {x-debug: {}}}]", "GET", "/",
            MeshHeaders.empty(), false),
        row("a repeated header is matched on its values joined with a comma",
            "[{headers: {x-tag: {exact: 'a,b'}}}]", "GET", "/", headers("x-tag", "a", "x-tag", "b"), true),
        row("a repeated header does not match on its first value alone", "[{headers: {x-tag: {exact: a}}}]", "GET",
            "/", headers("x-tag", "a", "x-tag", "b"), false),
        row("a repeated header regex sees the joined values", "[{headers: {x-tag: {regex: '.*,b'}}}]", "GET", "/",
            headers("x-tag", "a", "x-tag", "b"), true),
        row("withoutHeaders is satisfied by an absent header", "[{withoutHeaders: {x-debug: {}}}]", "GET", "/",
            MeshHeaders.empty(), true),
        row("withoutHeaders present rejects a present header", "[{withoutHeaders: {x-debug: {}}}]", "GET", "/",
            headers("x-debug", "1"), false),
        row("withoutHeaders exact rejects the matching value", "[{withoutHeaders: {x-env: {exact: prod}}}]", "GET",
            "/", headers("x-env", "prod"), false),
        row("withoutHeaders exact accepts another value", "[{withoutHeaders: {x-env: {exact: prod}}}]", "GET", "/",
            headers("x-env", "staging"), true),
        row("withoutHeaders exact accepts an absent header", "[{withoutHeaders: {x-env: {exact: prod}}}]", "GET",
            "/", MeshHeaders.empty(), true));
  }

  static Stream<Row> queryRows() {
    return Stream.of(
        row("query exact matches the same value", "[{queryParams: {debug: {exact: 'true'}}}]", "/x?debug=true",
            true),
        row("query exact rejects another value", "[{queryParams: {debug: {exact: 'true'}}}]", "/x?debug=false",
            false),
        row("query exact rejects an absent parameter", "[{queryParams: {debug: {exact: 'true'}}}]", "/x?other=true",
            false),
        row("query exact rejects a request without query", "[{queryParams: {debug: {exact: 'true'}}}]", "/x", false),
        row("query parameter found after others", "[{queryParams: {debug: {exact: 'true'}}}]",
            "/x?a=1&b=&debug=true", true),
        row("query prefix matches a longer value", "[{queryParams: {lang: {prefix: en}}}]", "/x?lang=en-GB", true),
        row("query prefix rejects another value", "[{queryParams: {lang: {prefix: en}}}]", "/x?lang=fr-FR", false),
        row("query regex matches the whole value", "[{queryParams: {id: {regex: '[0-9]{3}'}}}]", "/x?id=123", true),
        row("query regex must match the full value", "[{queryParams: {id: {regex: '[0-9]{3}'}}}]", "/x?id=1234",
            false),
        row("query values are percent-decoded before matching", "[{queryParams: {name: {exact: 'Jürgen & Co'}}}]",
            "/x?name=J%C3%BCrgen%20%26%20Co", true),
        row("query names are percent-decoded before matching", "[{queryParams: {'a b': {exact: '1'}}}]",
            "/x?a%20b=1", true),
        row("an empty query condition means present", "[{queryParams: {debug: {}}}]", "/x?debug", true));
  }

  static Stream<Row> combinationRows() {
    String apiGet = "[{uri: {prefix: /api}, method: {exact: GET}}]";
    String apiOrPost = "[{uri: {prefix: /api}}, {method: {exact: POST}}]";
    return Stream.of(
        row("conditions of one entry are ANDed: all hold", apiGet, "GET", "/api/x", MeshHeaders.empty(), true),
        row("conditions of one entry are ANDed: one fails", apiGet, "POST", "/api/x", MeshHeaders.empty(), false),
        row("conditions of one entry are ANDed: the other fails", apiGet, "GET", "/web", MeshHeaders.empty(), false),
        row("match entries are ORed: the first holds", apiOrPost, "GET", "/api/x", MeshHeaders.empty(), true),
        row("match entries are ORed: the second holds", apiOrPost, "POST", "/web", MeshHeaders.empty(), true),
        row("match entries are ORed: none holds", apiOrPost, "GET", "/web", MeshHeaders.empty(), false),
        row("headers, withoutHeaders and query of one entry are ANDed",
            "[{headers: {x-canary: {}}, withoutHeaders: {x-debug: {}}, queryParams: {v: {exact: '2'}}}]", "GET",
            "/?v=2", headers("x-canary", "1"), true),
        row("withoutHeaders failing spoils an otherwise matching entry",
            "[{headers: {x-canary: {}}, withoutHeaders: {x-debug: {}}, queryParams: {v: {exact: '2'}}}]", "GET",
            "/?v=2", headers("x-canary", "1", "x-debug", "1"), false),
        row("two header conditions of one entry must both hold",
            "[{headers: {x-a: {exact: '1'}, x-b: {exact: '2'}}}]", "GET", "/", headers("x-a", "1"), false),
        row("an empty match list matches everything", "[]", "DELETE", "/anything?x=1", MeshHeaders.empty(), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"uriRows", "methodRows", "headerRows", "queryRows", "combinationRows"})
  void ruleAppliesExactlyWhenItsMatchHolds(Row row) {
    ServiceDirectory directory = compile("""
        mesh: {defaultNamespace: demo}
        services:
          - name: api
            endpoints: [{address: 127.0.0.1, port: 8080}]
            routes:
              - name: probe
                match: %s
        """.formatted(row.match()));
    RouteTable table = service(directory, "api").routes();
    MeshRequest request = request(row.method(), row.target(), row.headers());

    CompiledRoute matched = table.match(request);

    if (row.matches()) {
      assertThat(matched).as(row.behaviour()).isNotNull();
      assertThat(matched.name()).isEqualTo("probe");
    } else {
      assertThat(matched).as(row.behaviour()).isNull();
    }
  }
}
