package io.inmesh.spring;

import io.inmesh.Mesh;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code /actuator/mesh} and the {@code mesh} health indicator, when the actuator is on the class path. */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(Mesh.class)
public class MeshActuatorAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(endpoint = MeshEndpoint.class)
  public MeshEndpoint meshEndpoint(Mesh mesh) {
    return new MeshEndpoint(mesh);
  }

  /** Separate: the health module is optional next to the actuator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "meshHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("mesh")
    MeshHealthIndicator meshHealthIndicator(Mesh mesh) {
      return new MeshHealthIndicator(mesh);
    }
  }
}
