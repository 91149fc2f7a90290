package io.inmesh.http.internal;

import io.inmesh.discovery.Endpoint;
import io.inmesh.routing.CompiledService;
import java.util.Locale;
import okhttp3.HttpUrl;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mesh-internal host names, one per (service, endpoint host), such as {@code e1f.inmesh.internal}. The OkHttp
 * transport puts such a name in the URL of each attempt instead of the endpoint's address, so that
 * <ul>
 *   <li>{@link MeshDns} resolves it to the endpoint's address (many endpoints may share 127.0.0.1 in tests and demos);
 *   <li>OkHttp's connection pool keys connections per service and endpoint;
 *   <li>a TLS step (hostname verifier, SNI) learns from the name which service it talks to, hence which SPIFFE identity
 *       the server must present ({@link #target}).
 * </ul>
 * The names are short and opaque on purpose: OkHttp canonicalises the host of every call's {@code Address} code point
 * by code point (IDNA mapping and normalisation), which for a descriptive 45-character name such as
 * {@code 127-0-0-1.api-service.default.inmesh.internal} cost about 2 µs per request, a tenth of a meshed client's CPU.
 * What a name stands for is logged at DEBUG when it is first used ({@code io.inmesh.http.internal.EndpointNames}).
 * The suffix {@code .internal} is reserved for private use (ICANN, 2024): such a name never leaks to public DNS.
 * Names are registered on first use and kept (a few hundred bytes per endpoint ever used).
 */
public final class EndpointNames {
  private static final Logger log = LoggerFactory.getLogger(EndpointNames.class);

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

  /** The key of a cached base URL: built from parts per request, so no string is concatenated. */
  private record BaseKey(String scheme, String serviceKey, String host, int port) {}

  private final Map<String, Target> byName = new ConcurrentHashMap<>();
  private final Map<Target, String> byTarget = new ConcurrentHashMap<>();
  private final AtomicInteger lastId = new AtomicInteger();
  private final Map<BaseKey, HttpUrl> baseUrls = new ConcurrentHashMap<>();

  /**
   * {@code scheme://<internal name>:<port>/} for an endpoint of {@code service}, cached: OkHttp canonicalises a host
   * name character by character, which costs more than the rest of building an attempt's URL.
   */
  public HttpUrl baseUrl(String scheme, CompiledService service, Endpoint endpoint) {
    BaseKey key = new BaseKey(scheme, service.key(), endpoint.host(), endpoint.port());
    HttpUrl url = baseUrls.get(key);
    if (url == null) {
      url = new HttpUrl.Builder().scheme(scheme).host(name(service, endpoint)).port(endpoint.port()).build();
      baseUrls.put(key, url);
    }
    return url;
  }

  /** The internal name of {@code endpoint} as an endpoint of {@code service}. */
  public String name(CompiledService service, Endpoint endpoint) {
    Target target = new Target(service.name(), service.namespace(), endpoint.host());
    String name = byTarget.get(target);
    if (name == null) {
      name = byTarget.computeIfAbsent(target, t -> {
        String n = "e" + Integer.toString(lastId.incrementAndGet(), 36) + SUFFIX;
        byName.put(n, t);
        log.debug("internal name {} stands for endpoint {} of {}.{}", n, t.endpointHost(), t.serviceName(),
            t.namespace());
        return n;
      });
    }
    return name;
  }

  /** What {@code host} stands for, or null when it is not an internal name. */
  public @Nullable Target target(String host) {
    return host.endsWith(SUFFIX) ? byName.get(host.toLowerCase(Locale.ROOT)) : null;
  }
}
