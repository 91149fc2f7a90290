package io.inmesh.spring.internal;

import java.net.http.HttpClient;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.util.DefaultUriBuilderFactory;

/**
 * Spring's clients over the meshed {@code java.net.http} client. Loaded only when spring-web is present (the starter
 * references it by name otherwise).
 */
public final class SpringWebClients {
  private static final boolean BOOT_RESTCLIENT =
      ClassUtils.isPresent("org.springframework.boot.restclient.RestTemplateBuilder", null);

  private SpringWebClients() {}

  /** Spring's request factory over the meshed client: RestClient and RestTemplate requests go through the mesh. */
  public static ClientHttpRequestFactory requestFactory(HttpClient meshed) {
    return new JdkClientHttpRequestFactory(meshed);
  }

  /** A RestClient for {@code baseUrl}, from the application's RestClient.Builder when there is one. */
  public static RestClient restClient(HttpClient meshed, String baseUrl, @Nullable BeanFactory beanFactory) {
    RestClient.Builder builder = beanFactory == null ? RestClient.builder()
        : beanFactory.getBeanProvider(RestClient.Builder.class).getIfAvailable(RestClient::builder);
    return builder.requestFactory(requestFactory(meshed)).baseUrl(baseUrl).build();
  }

  /** A RestTemplate for {@code rootUri}, from the application's RestTemplateBuilder when there is one. */
  public static RestTemplate restTemplate(HttpClient meshed, String rootUri, @Nullable BeanFactory beanFactory) {
    @Nullable RestTemplate template = null;
    if (BOOT_RESTCLIENT && beanFactory != null) {
      template = BootRestTemplates.fromBuilder(beanFactory);
    }
    if (template == null) {
      template = new RestTemplate();
    }
    template.setRequestFactory(requestFactory(meshed));
    template.setUriTemplateHandler(new DefaultUriBuilderFactory(rootUri));
    return template;
  }

  /** Separate, so that RestTemplateBuilder is loaded only when spring-boot-restclient is present. */
  private static final class BootRestTemplates {
    static @Nullable RestTemplate fromBuilder(BeanFactory beanFactory) {
      RestTemplateBuilder b = beanFactory.getBeanProvider(RestTemplateBuilder.class).getIfAvailable();
      return b == null ? null : b.build();
    }
  }
}
