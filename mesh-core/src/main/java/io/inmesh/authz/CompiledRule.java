package io.inmesh.authz;

import io.inmesh.config.InboundConfig.Condition;
import io.inmesh.config.InboundConfig.From;
import io.inmesh.config.InboundConfig.Operation;
import io.inmesh.config.InboundConfig.Rule;
import io.inmesh.config.InboundConfig.Source;
import io.inmesh.config.InboundConfig.To;
import java.util.ArrayList;
import java.util.List;
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
    add(fields, AuthorizationRequest::principal, s.principals(), s.notPrincipals(), WildcardMatch::principal);
    add(fields, AuthorizationRequest::sourceNamespace, s.namespaces(), s.notNamespaces(), WildcardMatch::of);
    add(fields, AuthorizationRequest::sourceIp, s.ipBlocks(), s.notIpBlocks(), CidrMatch::of);
    add(fields, AuthorizationRequest::remoteIp, s.remoteIpBlocks(), s.notRemoteIpBlocks(), CidrMatch::of);
    return fields.toArray(Field[]::new);
  }

  private static Field[] operation(To to) {
    Operation o = to.operation();
    List<Field> fields = new ArrayList<>();
    if (!o.hosts().isEmpty() || !o.notHosts().isEmpty()) {
      // Istio matches the host with and without its port, ignoring case.
      fields.add(new Field(CompiledRule::hostAndAuthority, compile(o.hosts(), p -> hostMatch(p)),
          compile(o.notHosts(), p -> hostMatch(p))));
    }
    add(fields, r -> r.port() < 0 ? null : Integer.toString(r.port()), o.ports(), o.notPorts(), WildcardMatch::of);
    add(fields, AuthorizationRequest::method, o.methods(), o.notMethods(), WildcardMatch::of);
    add(fields, AuthorizationRequest::path, o.paths(), o.notPaths(), CompiledRule::pathMatch);
    return fields.toArray(Field[]::new);
  }

  private static Field condition(Condition c) {
    String key = c.key();
    Function<AuthorizationRequest, @Nullable String> attr;
    Function<String, ValueMatcher> compiler = WildcardMatch::of;
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      String name = key.substring("request.headers[".length(), key.length() - 1);
      attr = r -> r.header(name);
    } else {
      switch (key) {
        case "source.ip" -> {
          attr = AuthorizationRequest::sourceIp;
          compiler = CidrMatch::of;
        }
        case "remote.ip" -> {
          attr = AuthorizationRequest::remoteIp;
          compiler = CidrMatch::of;
        }
        case "destination.ip" -> {
          attr = AuthorizationRequest::destinationIp;
          compiler = CidrMatch::of;
        }
        case "source.namespace" -> attr = AuthorizationRequest::sourceNamespace;
        case "source.principal" -> {
          attr = AuthorizationRequest::principal;
          compiler = WildcardMatch::principal;
        }
        case "destination.port" -> attr = r -> r.port() < 0 ? null : Integer.toString(r.port());
        case "connection.sni" -> attr = AuthorizationRequest::sni;
        // The validator refuses other keys; reaching here means a snapshot bypassed it: refuse to compile.
        default -> throw new IllegalArgumentException("unknown condition key '" + key + "'");
      }
    }
    // A condition with only notValues holds when the value matches none (values empty means "any").
    return new Field(attr, compile(c.values(), compiler), compile(c.notValues(), compiler));
  }

  private static void add(List<Field> fields, Function<AuthorizationRequest, @Nullable String> attr,
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

  /** A host pattern matches {@code host} or {@code host:port}, ignoring case; compiled against the pair below. */
  private static ValueMatcher hostMatch(String pattern) {
    WildcardMatch m = WildcardMatch.of(pattern, true);
    return value -> {
      if (value == null) {
        return false;
      }
      int sep = value.indexOf('\n');
      return m.matches(value.substring(0, sep)) || m.matches(value.substring(sep + 1));
    };
  }

  private static String hostAndAuthority(AuthorizationRequest r) {
    return r.host() + '\n' + r.authority();
  }

  /**
   * One field: the attribute must match one of {@code any} (when present) and none of {@code none}. An unknown
   * attribute (no principal on a plaintext connection) fails {@code any} and passes {@code none}, as Envoy's RBAC
   * {@code not_id} does.
   */
  private record Field(
      Function<AuthorizationRequest, @Nullable String> attr,
      ValueMatcher @Nullable [] any,
      ValueMatcher @Nullable [] none) {

    boolean holds(AuthorizationRequest r) {
      String v = attr.apply(r);
      if (any != null && !matchesOne(any, v)) {
        return false;
      }
      return none == null || !matchesOne(none, v);
    }

    private static boolean matchesOne(ValueMatcher[] matchers, @Nullable String v) {
      for (ValueMatcher m : matchers) {
        if (m.matches(v)) {
          return true;
        }
      }
      return false;
    }
  }
}
