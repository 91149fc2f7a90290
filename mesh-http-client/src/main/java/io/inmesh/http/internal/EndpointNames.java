package io.inmesh.http.internal;

import io.inmesh.discovery.Endpoint;
import io.inmesh.routing.CompiledService;
import java.util.Locale;
import okhttp3.HttpUrl;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Mesh-internal host names, one per (service, endpoint host), such as
 * {@code 127-0-0-1.api-service.default.inmesh.internal}. The OkHttp transport puts such a name in the URL of each
 * attempt instead of the endpoint's address, so that
 * <ul>
 *   <li>{@link MeshDns} resolves it to the endpoint's address (many endpoints may share 127.0.0.1 in tests and demos);
 *   <li>OkHttp's connection pool keys connections per service and endpoint;
 *   <li>a TLS step (hostname verifier, SNI) learns from the name which service it talks to, hence which SPIFFE identity
 *       the server must present ({@link #target}).
 * </ul>
 * The suffix {@code .internal} is reserved for private use (ICANN, 2024): such a name never leaks to public DNS.
 * Names are registered on first use and kept (a few hundred bytes per endpoint ever used).
 */
public final class EndpointNames {
  /** The suffix of every internal name. */
  public static final String SUFFIX = ".inmesh.internal";

  /**
   * What an internal name stands for.
   *
   * @param serviceName the destination service's name
   * @param namespace its namespace
   * @param endpointHost the endpoint's IP address or host name
   */
  public record Target(String serviceName, String namespace, String endpointHost) {
    /** The host form that resolves the service in a snapshot's {@code ServiceDirectory}: {@code name.namespace}. */
    public String serviceHost() {
      return serviceName + "." + namespace;
    }
  }

  private final Map<String, Target> byName = new ConcurrentHashMap<>();
  private final Map<String, HttpUrl> baseUrls = new ConcurrentHashMap<>();

  /**
   * {@code scheme://<internal name>:<port>/} for an endpoint of {@code service}, cached: OkHttp canonicalises a host
   * name character by character, which costs more than the rest of building an attempt's URL.
   */
  public HttpUrl baseUrl(String scheme, CompiledService service, Endpoint endpoint) {
    String key = scheme + "|" + service.key() + "|" + endpoint.address();
    HttpUrl url = baseUrls.get(key);
    if (url == null) {
      url = new HttpUrl.Builder().scheme(scheme).host(name(service, endpoint)).port(endpoint.port()).build();
      baseUrls.put(key, url);
    }
    return url;
  }

  /** The internal name of {@code endpoint} as an endpoint of {@code service}. */
  public String name(CompiledService service, Endpoint endpoint) {
    String host = endpoint.host();
    String suffix = "." + service.name() + "." + service.namespace() + SUFFIX;
    String name = label(host) + suffix;
    Target have = byName.get(name);
    if (have == null) {
      have = byName.computeIfAbsent(name, n -> new Target(service.name(), service.namespace(), host));
    }
    if (have.endpointHost().equals(host)) {
      return name;
    }
    // Two endpoint hosts with the same label (10.0.0.1 and a host named 10-0-0-1): disambiguate the second.
    String other = label(host) + "-" + Integer.toHexString(host.hashCode()) + suffix;
    byName.putIfAbsent(other, new Target(service.name(), service.namespace(), host));
    return other;
  }

  /** What {@code host} stands for, or null when it is not an internal name. */
  public @Nullable Target target(String host) {
    return host.endsWith(SUFFIX) ? byName.get(host.toLowerCase(Locale.ROOT)) : null;
  }

  /** A DNS label for an address or host name: {@code 10.0.0.1} becomes {@code 10-0-0-1}. */
  static String label(String host) {
    StringBuilder b = new StringBuilder(host.length() + 3);
    if (host.indexOf(':') >= 0) {
      b.append("v6-"); // an IPv6 label must not start with the '-' that '::' would give
    }
    for (int i = 0; i < host.length(); i++) {
      char c = Character.toLowerCase(host.charAt(i));
      b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
    }
    return b.length() > 50 ? b.substring(0, 50) : b.toString();
  }
}
