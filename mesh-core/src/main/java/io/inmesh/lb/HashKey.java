package io.inmesh.lb;

import io.inmesh.config.TrafficPolicy.ConsistentHash;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reads the request property a consistent hash is computed on. */
@FunctionalInterface
interface HashKey {

  /** The key, or null when the request has none (the pick is then random). */
  @Nullable String of(MeshContext ctx, MeshRequest request);

  static HashKey of(ConsistentHash settings, LbEnvironment env) {
    if (settings.httpHeaderName() != null) {
      String name = settings.httpHeaderName();
      return (ctx, request) -> request.headers().get(name);
    }
    if (settings.httpCookie() != null) {
      String name = settings.httpCookie().name();
      return (ctx, request) -> cookie(request.headers().getAll("cookie"), name);
    }
    if (settings.httpQueryParameterName() != null) {
      String name = settings.httpQueryParameterName();
      return (ctx, request) -> request.queryParameter(name);
    }
    if (settings.useSourceIp()) {
      // Outbound, the source is this process: the adapter may name the original client's address; otherwise every
      // request of this instance shares one key (per-caller affinity, as a sidecar hashing its app's IP).
      String instance = env.selfIdentity() + "@" + ProcessHandle.current().pid();
      return (ctx, request) -> {
        String a = ctx.remoteAddress();
        return a != null ? a : instance;
      };
    }
    // useSourceIdentity: outbound, the source is this workload.
    String self = env.selfIdentity();
    return (ctx, request) -> self;
  }

  /** The value of cookie {@code name} in {@code Cookie} headers ({@code a=1; b=2}), or null. */
  static @Nullable String cookie(List<String> headers, String name) {
    for (String h : headers) {
      int i = 0;
      int n = h.length();
      while (i < n) {
        while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == ';')) {
          i++;
        }
        int end = h.indexOf(';', i);
        if (end < 0) {
          end = n;
        }
        int eq = h.indexOf('=', i);
        if (eq > 0 && eq < end && eq - i == name.length() && h.regionMatches(i, name, 0, name.length())) {
          String v = h.substring(eq + 1, end).trim();
          return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"'
              ? v.substring(1, v.length() - 1) : v;
        }
        i = end + 1;
      }
    }
    return null;
  }
}
