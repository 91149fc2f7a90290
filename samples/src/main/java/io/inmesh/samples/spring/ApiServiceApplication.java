package io.inmesh.samples.spring;

import io.inmesh.spring.MeshClient;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/**
 * {@code api-service}, written as an ordinary Spring Boot application: {@code @MeshClient("payments") RestClient}
 * reaches {@code payments} through the mesh (endpoint choice, retries, outlier detection, mTLS with the workload's
 * SPIFFE identity), and the starter puts the mesh's filter and STRICT mTLS in front of the embedded Tomcat. All of it
 * comes from {@code mesh.*} properties; the demo sets them when it starts the application (see
 * {@code io.inmesh.samples.demo.SpringApiService}). It answers exactly as the plain-servlet instances do.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class ApiServiceApplication {

  /** {@code GET /api/users/{id}}: a balance from payments, and every tenth request a charge. */
  @RestController
  static class Users {
    private final RestClient payments;
    private final String instance;
    private final String version;
    private final AtomicLong sequence = new AtomicLong();

    Users(@MeshClient("payments") RestClient payments, @Value("${demo.instance}") String instance,
        @Value("${demo.version}") String version) {
      this.payments = payments;
      this.instance = instance;
      this.version = version;
    }

    @GetMapping("/api/users/{id}")
    ResponseEntity<String> user(@PathVariable long id) {
      String body;
      int status = 200;
      try {
        body = sequence.incrementAndGet() % 10 == 0
            ? payments.post().uri("/charge/{id}", id).contentType(MediaType.APPLICATION_JSON)
                .body("{\"cents\":100}").retrieve().body(String.class)
            : payments.get().uri("/balance/{id}", id).retrieve().body(String.class);
      } catch (RestClientResponseException e) {
        status = 502;
        body = "payments: " + e.getStatusCode();
      } catch (RuntimeException e) {
        status = 502; // an IOException of the mesh (no healthy endpoint, timeout), wrapped by RestClient
        body = "payments: " + e.getMessage();
      }
      return ResponseEntity.status(status)
          .header("x-served-by", instance)
          .header("x-api-version", version)
          .contentType(MediaType.TEXT_PLAIN)
          .body(instance + " (" + version + ", Spring Boot) <- " + (body == null ? "" : body.strip()) + "\n");
    }
  }
}
