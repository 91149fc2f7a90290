package io.inmesh.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Injects an HTTP client bound to a mesh service: every request goes through the mesh's outbound pipeline (routing,
 * retries, load balancing, mTLS with the service's SPIFFE identity checked).
 *
 * <pre>{@code
 * @MeshClient("api-service") RestClient api;            // field (no @Autowired needed)
 * api.get().uri("/api/users/1").retrieve().body(User.class);
 *
 * OrderService(@MeshClient("payments") RestClient payments) {...}   // constructor parameter
 * }</pre>
 *
 * <p>Supported types: Spring's {@code RestClient} and {@code RestTemplate} (base URL {@code http://<service>}), and
 * {@code okhttp3.OkHttpClient} and {@code java.net.http.HttpClient} (meshed, used with absolute URLs such as
 * {@code http://api-service/api/users/1}). Clients are shared per service and type. The service must exist in the
 * mesh configuration at injection time, so a typo fails the start-up instead of the first request.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Autowired
public @interface MeshClient {
  /** The service's name (or one of its hosts), as in the mesh configuration. */
  String value();
}
