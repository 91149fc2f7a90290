package io.inmesh.spring;

import io.inmesh.spring.internal.SpringWebClients;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Meshes every {@code RestClient} the application builds from Boot's {@code RestClient.Builder}: its request factory
 * becomes the meshed {@code java.net.http} client's. Requests to hosts that are not mesh services pass through
 * unchanged (unless the mesh's {@code outboundTrafficPolicy} is REGISTRY_ONLY).
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass({RestClient.class, RestClientCustomizer.class})
@ConditionalOnBean(MeshClients.class)
public class MeshRestClientAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "meshRestClientCustomizer")
  public RestClientCustomizer meshRestClientCustomizer(MeshClients clients) {
    ClientHttpRequestFactory factory = SpringWebClients.requestFactory(clients.httpClient());
    return builder -> builder.requestFactory(factory);
  }
}
