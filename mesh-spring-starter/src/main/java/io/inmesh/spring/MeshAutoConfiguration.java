package io.inmesh.spring;

import io.inmesh.Mesh;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.ConfigSource;
import io.inmesh.config.FileConfigSource;
import io.inmesh.spring.internal.AdminPortOverride;
import io.inmesh.spring.internal.MeshClientResolver;
import io.inmesh.spring.internal.MeshShutdown;
import io.inmesh.spring.internal.OpenTelemetryVersionCheck;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The application's {@link Mesh} from {@code mesh.*} properties, the {@link MeshClients} behind
 * {@link MeshClient @MeshClient}, and the shutdown order (deregister, drain, close). Every bean can be replaced by
 * one of the application's own; {@code mesh.enabled=false} turns all of it off.
 */
@AutoConfiguration
@ConditionalOnClass(Mesh.class)
@ConditionalOnBooleanProperty(name = "mesh.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MeshProperties.class)
public class MeshAutoConfiguration {

  /**
   * The mesh, closed when the context closes (after the web server has drained). {@code ${VAR}} references in the
   * mesh configuration are resolved from Spring's {@code Environment} (which includes the process environment).
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Mesh mesh(MeshProperties properties, Environment environment,
      ObjectProvider<MeshBuilderCustomizer> customizers, ObjectProvider<OpenTelemetry> openTelemetry) {
    OpenTelemetryVersionCheck.verify(Mesh.class.getClassLoader());
    List<Path> paths = new ArrayList<>();
    for (String location : properties.getConfig().getLocation()) {
      if (!location.isBlank()) {
        paths.add(Path.of(location.strip().replaceFirst("^file:", "")));
      }
    }
    if (paths.isEmpty()) {
      throw new IllegalStateException("mesh.config.location is required: the mesh configuration file(s) or "
          + "directory, e.g. mesh.config.location=/etc/mesh/mesh.yaml (or set mesh.enabled=false)");
    }
    String workload = properties.getWorkload() != null ? properties.getWorkload()
        : environment.getProperty("spring.application.name");
    if (workload == null || workload.isBlank()) {
      throw new IllegalStateException("mesh.workload (or spring.application.name) is required: this application's "
          + "service name in the mesh configuration");
    }
    ConfigLoader loader = ConfigLoader.withEnvironment(environment::getProperty);
    ConfigSource source = FileConfigSource.builder(paths).loader(loader).build();
    Integer adminPort = properties.getAdmin().getPort();
    if (adminPort != null) {
      source = new AdminPortOverride(source, adminPort);
    }
    Mesh.Builder builder = Mesh.builder()
        .workload(workload)
        .configSource(source)
        .environment(environment::getProperty);
    if (properties.getNamespace() != null) {
      builder.namespace(properties.getNamespace());
    }
    if (properties.getServiceAccount() != null) {
      builder.serviceAccount(properties.getServiceAccount());
    }
    if (properties.getZone() != null) {
      builder.zone(properties.getZone());
    }
    for (Map.Entry<String, String> label : properties.getLabels().entrySet()) {
      builder.label(label.getKey(), label.getValue());
    }
    // The application's OpenTelemetry (Boot's OpenTelemetry support defines one): the mesh's spans then use its
    // sampler, processors and exporters, and join the application's own traces.
    openTelemetry.ifUnique(builder::openTelemetry);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.build();
  }

  /** Meshed clients per service, for {@link MeshClient @MeshClient} and for direct use. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public MeshClients meshClients(Mesh mesh, BeanFactory beanFactory) {
    return new MeshClients(mesh, beanFactory);
  }

  /** Teaches the bean factory {@link MeshClient @MeshClient} injection points (static: a bean factory processor). */
  @Bean
  @ConditionalOnMissingBean(name = "meshClientResolverInstaller")
  public static BeanFactoryPostProcessor meshClientResolverInstaller() {
    return MeshClientResolver.installer();
  }

  /** Deregisters this instance (its {@link MeshInstanceRegistration} beans) before the web server drains. */
  @Bean
  @ConditionalOnMissingBean
  public MeshShutdown meshShutdown(ObjectProvider<MeshInstanceRegistration> registrations) {
    return new MeshShutdown(registrations.orderedStream().toList());
  }
}
