package io.inmesh.spring;

import io.inmesh.Mesh;
import io.inmesh.http.MeshHttpClient;
import io.inmesh.http.MeshOkHttp;
import io.inmesh.routing.CompiledService;
import io.inmesh.spring.internal.SpringWebClients;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;

/**
 * Meshed HTTP clients per service, the objects {@link MeshClient @MeshClient} injects. One {@code java.net.http}
 * client and one OkHttp client (each with its connection pool) serve every service; {@code RestClient}s and
 * {@code RestTemplate}s are built once per service on the meshed {@code java.net.http} client, from the application's
 * {@code RestClient.Builder} / {@code RestTemplateBuilder} when Boot provides them (so message converters,
 * observation and customizers apply).
 */
public final class MeshClients implements AutoCloseable {
  private static final String REST_CLIENT = "org.springframework.web.client.RestClient";
  private static final String REST_TEMPLATE = "org.springframework.web.client.RestTemplate";

  private final Mesh mesh;
  private final @Nullable BeanFactory beanFactory;
  private final HttpClient jdk;
  private final OkHttpClient okHttp;
  private final Map<Key, Object> clients = new ConcurrentHashMap<>();

  private record Key(String service, Class<?> type) {}

  /**
   * Clients over {@code mesh}; {@code beanFactory} (may be null) supplies Boot's {@code RestClient.Builder} and
   * {@code RestTemplateBuilder}.
   */
  public MeshClients(Mesh mesh, @Nullable BeanFactory beanFactory) {
    this.mesh = Objects.requireNonNull(mesh);
    this.beanFactory = beanFactory;
    // HTTP/1.1: servlet containers rarely enable h2, and h2c upgrade headers on every plaintext request buy nothing.
    this.jdk = MeshHttpClient.wrap(mesh, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    this.okHttp = MeshOkHttp.wrap(mesh, new OkHttpClient());
  }

  /** The meshed {@code java.net.http} client shared by every service (and by meshed RestClients). */
  public HttpClient httpClient() {
    return jdk;
  }

  /** The meshed OkHttp client shared by every service. */
  public OkHttpClient okHttpClient() {
    return okHttp;
  }

  /**
   * The client of {@code type} bound to {@code service}.
   *
   * @throws IllegalArgumentException when the service is not in the mesh configuration or the type not supported
   */
  public <T> T client(String service, Class<T> type) {
    Object c = clients.computeIfAbsent(new Key(service, type), k -> create(k.service(), k.type()));
    return type.cast(c);
  }

  private Object create(String service, Class<?> type) {
    CompiledService s = mesh.snapshot().services().resolve(service);
    if (s == null) {
      TreeSet<String> known = new TreeSet<>();
      mesh.snapshot().services().services().forEach(x -> known.add(x.name()));
      throw new IllegalArgumentException("no service '" + service + "' in the mesh configuration (known: "
          + String.join(", ", known) + ")");
    }
    if (type == HttpClient.class) {
      return jdk;
    }
    if (type == OkHttpClient.class) {
      return okHttp;
    }
    String base = "http://" + service;
    if (type.getName().equals(REST_CLIENT)) {
      return SpringWebClients.restClient(jdk, base, beanFactory);
    }
    if (type.getName().equals(REST_TEMPLATE)) {
      return SpringWebClients.restTemplate(jdk, base, beanFactory);
    }
    throw new IllegalArgumentException("@MeshClient supports RestClient, RestTemplate, OkHttpClient and "
        + "java.net.http.HttpClient, not " + type.getName());
  }

  /** Stops the OkHttp client's threads and closes its idle connections. */
  @Override
  public void close() {
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
  }
}
