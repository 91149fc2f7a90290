package io.inmesh.authz;

import io.inmesh.config.InboundConfig.Condition;
import io.inmesh.config.InboundConfig.From;
import io.inmesh.config.InboundConfig.Operation;
import io.inmesh.config.InboundConfig.Rule;
import io.inmesh.config.InboundConfig.Source;
import io.inmesh.config.InboundConfig.To;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One rule, compiled: it matches when one {@code from} source AND one {@code to} operation match AND every
 * {@code when} condition holds (an empty part matches everything). Within a source or operation every field present
 * must hold; within a field one value must match, and no value of its {@code notX} twin.
 */
final class CompiledRule {
  private static final Field[][] NONE = new Field[0][];

  /** Each entry is one source (or operation): all of its fields must hold. */
  private final Field[][] from;
  private final Field[][] to;
  private final Field[] when;

  private CompiledRule(Field[][] from, Field[][] to, Field[] when) {
    this.from = from;
    this.to = to;
    this.when = when;
  }

  static CompiledRule compile(Rule rule) {
    Field[][] from = rule.from().isEmpty() ? NONE : new Field[rule.from().size()][];
    for (int i = 0; i < from.length; i++) {
      from[i] = source(rule.from().get(i));
    }
    Field[][] to = rule.to().isEmpty() ? NONE : new Field[rule.to().size()][];
    for (int i = 0; i < to.length; i++) {
      to[i] = operation(rule.to().get(i));
    }
    Field[] when = new Field[rule.when().size()];
    for (int i = 0; i < when.length; i++) {
      when[i] = condition(rule.when().get(i));
    }
    return new CompiledRule(from, to, when);
  }

  boolean matches(AuthorizationRequest r) {
    return anyAll(from, r) && anyAll(to, r) && all(when, r);
  }

  private static boolean anyAll(Field[][] entries, AuthorizationRequest r) {
    if (entries.length == 0) {
      return true;
    }
    for (Field[] entry : entries) {
      if (all(entry, r)) {
        return true;
      }
    }
    return false;
  }

  private static boolean all(Field[] fields, AuthorizationRequest r) {
    for (Field f : fields) {
      if (!f.holds(r)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- compilation

  private static Field[] source(From from) {
    Source s = from.source();
    List<Field> fields = new ArrayList<>();
    add(fields, string(AuthorizationRequest::principal), s.principals(), s.notPrincipals(),
        WildcardMatch::principal);
    add(fields, CompiledRule::namespaceMatchedByOne, s.namespaces(), s.notNamespaces(), WildcardMatch::of);
    add(fields, string(AuthorizationRequest::sourceIp), s.ipBlocks(), s.notIpBlocks(), CidrMatch::of);
    add(fields, string(AuthorizationRequest::remoteIp), s.remoteIpBlocks(), s.notRemoteIpBlocks(), CidrMatch::of);
    return fields.toArray(Field[]::new);
  }

  private static Field[] operation(To to) {
    Operation o = to.operation();
    List<Field> fields = new ArrayList<>();
    // Istio matches the host with and without its port, ignoring case.
    add(fields, CompiledRule::hostMatchedByOne, o.hosts(), o.notHosts(), p -> WildcardMatch.of(p, true));
    add(fields, CompiledRule::portMatchedByOne, o.ports(), o.notPorts(), WildcardMatch::of);
    add(fields, string(AuthorizationRequest::method), o.methods(), o.notMethods(), WildcardMatch::of);
    add(fields, string(AuthorizationRequest::path), o.paths(), o.notPaths(), CompiledRule::pathMatch);
    return fields.toArray(Field[]::new);
  }

  private static Field condition(Condition c) {
    String key = c.key();
    Attribute attr;
    Function<String, ValueMatcher> compiler = WildcardMatch::of;
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      String name = key.substring("request.headers[".length(), key.length() - 1);
      attr = string(r -> r.header(name));
    } else {
      switch (key) {
        case "source.ip" -> {
          attr = string(AuthorizationRequest::sourceIp);
          compiler = CidrMatch::of;
        }
        case "remote.ip" -> {
          attr = string(AuthorizationRequest::remoteIp);
          compiler = CidrMatch::of;
        }
        case "destination.ip" -> {
          attr = string(AuthorizationRequest::destinationIp);
          compiler = CidrMatch::of;
        }
        case "source.namespace" -> attr = CompiledRule::namespaceMatchedByOne;
        case "source.principal" -> {
          attr = string(AuthorizationRequest::principal);
          compiler = WildcardMatch::principal;
        }
        case "destination.port" -> attr = CompiledRule::portMatchedByOne;
        case "connection.sni" -> attr = string(AuthorizationRequest::sni);
        // The validator refuses other keys; reaching here means a snapshot bypassed it: refuse to compile.
        default -> throw new IllegalArgumentException("unknown condition key '" + key + "'");
      }
    }
    // A condition with only notValues holds when the value matches none (values empty means "any").
    return new Field(attr, compile(c.values(), compiler), compile(c.notValues(), compiler));
  }

  private static void add(List<Field> fields, Attribute attr,
      List<String> values, List<String> notValues, Function<String, ValueMatcher> compiler) {
    if (!values.isEmpty() || !notValues.isEmpty()) {
      fields.add(new Field(attr, compile(values, compiler), compile(notValues, compiler)));
    }
  }

  private static ValueMatcher @Nullable [] compile(List<String> values, Function<String, ValueMatcher> compiler) {
    if (values.isEmpty()) {
      return null;
    }
    ValueMatcher[] m = new ValueMatcher[values.size()];
    for (int i = 0; i < m.length; i++) {
      m[i] = compiler.apply(values.get(i));
    }
    return m;
  }

  private static ValueMatcher pathMatch(String p) {
    return PathTemplateMatch.isTemplate(p) ? PathTemplateMatch.of(p) : WildcardMatch.of(p);
  }

  // ---------------------------------------------------------------- attributes

  /**
   * How a field reads its attribute from a request: whether one of {@code matchers} matches it (false when the
   * request does not have it). Most attributes are strings of the request; the host, the namespace and the port are
   * compared in place, because building them would allocate on every check, several times per request.
   */
  @FunctionalInterface
  private interface Attribute {
    boolean matchedByOne(AuthorizationRequest r, ValueMatcher[] matchers);
  }

  private static Attribute string(Function<AuthorizationRequest, @Nullable String> read) {
    return (r, matchers) -> {
      String v = read.apply(r);
      for (ValueMatcher m : matchers) {
        if (m.matches(v)) {
          return true;
        }
      }
      return false;
    };
  }

  /** A host pattern matches the host (the authority without its port) or the whole authority. */
  private static boolean hostMatchedByOne(AuthorizationRequest r, ValueMatcher[] matchers) {
    String authority = r.authority();
    int hostEnd = r.hostEnd();
    for (ValueMatcher m : matchers) {
      if (m.matches(authority, 0, hostEnd) || m.matches(authority, 0, authority.length())) {
        return true;
      }
    }
    return false;
  }

  /** The namespace inside the principal ({@link AuthorizationRequest#sourceNamespace}), without copying it. */
  private static boolean namespaceMatchedByOne(AuthorizationRequest r, ValueMatcher[] matchers) {
    int start = r.sourceNamespaceStart();
    if (start < 0) {
      return false;
    }
    String principal = Objects.requireNonNull(r.principal());
    int end = r.sourceNamespaceEnd(start);
    for (ValueMatcher m : matchers) {
      if (m.matches(principal, start, end)) {
        return true;
      }
    }
    return false;
  }

  /** The port the request arrived on, in decimal; unknown (-1) matches nothing. */
  private static boolean portMatchedByOne(AuthorizationRequest r, ValueMatcher[] matchers) {
    int port = r.port();
    if (port < 0) {
      return false;
    }
    for (ValueMatcher m : matchers) {
      if (m.matchesNumber(port)) {
        return true;
      }
    }
    return false;
  }

  /**
   * One field: the attribute must match one of {@code any} (when present) and none of {@code none}. An unknown
   * attribute (no principal on a plaintext connection) fails {@code any} and passes {@code none}, as Envoy's RBAC
   * {@code not_id} does.
   */
  private record Field(Attribute attr, ValueMatcher @Nullable [] any, ValueMatcher @Nullable [] none) {

    boolean holds(AuthorizationRequest r) {
      if (any != null && !attr.matchedByOne(r, any)) {
        return false;
      }
      return none == null || !attr.matchedByOne(r, none);
    }
  }
}
