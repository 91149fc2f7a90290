package io.inmesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.spring.internal.JettyMeshTls;
import io.inmesh.spring.internal.MeshShutdown;
import io.inmesh.spring.internal.TomcatMeshTls;
import io.inmesh.telemetry.MeshTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** The auto-configuration's conditions, defaults and overrides, without a web server. */
class MeshAutoConfigurationTest {
  private static final AutoConfigurations STARTER = AutoConfigurations.of(MeshAutoConfiguration.class,
      MeshServletAutoConfiguration.class, MeshRestClientAutoConfiguration.class, MeshActuatorAutoConfiguration.class);

  @TempDir
  Path dir;
  Path yaml;

  @BeforeEach
  void writeConfig() throws IOException {
    yaml = dir.resolve("mesh.yaml");
    Files.writeString(yaml, """
        mesh:
          defaultNamespace: shop
          defaults: {mtlsMode: DISABLE}
        services:
          - name: catalog
            endpoints: [{address: 127.0.0.1, port: 1}]
          - name: api-service
            endpoints: [{address: 127.0.0.1, port: 2}]
        admin:
          enabled: true
          # the fleet's shared file names one port; each instance overrides it
          port: 9901
        """);
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner().withConfiguration(STARTER)
        .withPropertyValues("mesh.config.location=" + yaml, "mesh.admin.port=0");
  }

  @Test
  void buildsTheMeshFromMeshPropertiesWithTheWorkloadDefaultingToTheApplicationName() {
    runner().withPropertyValues("spring.application.name=catalog", "mesh.service-account=catalog-sa",
            "mesh.labels.version=v2", "mesh.zone=zone-a")
        .run(context -> {
          assertThat(context).hasSingleBean(Mesh.class).hasSingleBean(MeshClients.class)
              .hasSingleBean(MeshShutdown.class);
          Mesh mesh = context.getBean(Mesh.class);
          assertThat(mesh.workload().name()).isEqualTo("catalog");
          assertThat(mesh.workload().namespace()).isEqualTo("shop");
          assertThat(mesh.workload().serviceAccount()).isEqualTo("catalog-sa");
          assertThat(mesh.workload().labels()).containsEntry("version", "v2").containsEntry("app", "catalog");
          assertThat(mesh.workload().zone()).isEqualTo("zone-a");
        });
  }

  @Test
  void meshWorkloadWinsOverTheApplicationName() {
    runner().withPropertyValues("spring.application.name=ignored", "mesh.workload=catalog", "mesh.namespace=other")
        .run(context -> {
          assertThat(context.getBean(Mesh.class).workload().name()).isEqualTo("catalog");
          assertThat(context.getBean(Mesh.class).workload().namespace()).isEqualTo("other");
        });
  }

  @Test
  void closesTheMeshWithTheContext() {
    Mesh[] mesh = new Mesh[1];
    runner().withPropertyValues("mesh.workload=catalog")
        .run(context -> mesh[0] = context.getBean(Mesh.class));

    // A closed mesh applies nothing.
    assertThat(mesh[0].apply(List.of(new io.inmesh.config.ConfigDocument("x", "mesh: {}")))).isFalse();
  }

  @Test
  void adminPortPropertyOverridesTheConfigurationFile() {
    runner().withPropertyValues("mesh.workload=catalog").run(context -> {
      MeshTelemetry telemetry = context.getBean(Mesh.class).feature(MeshTelemetry.class);
      assertThat(telemetry.adminAddress()).isNotNull();
      assertThat(telemetry.adminAddress().getPort()).isNotEqualTo(9901).isPositive();
      assertThat(context.getBean(Mesh.class).snapshot().config().admin().port()).isZero();
    });
  }

  @Test
  void theApplicationsOpenTelemetryBeanRecordsTheMeshsSpans() {
    List<String> tracersAskedFor = new CopyOnWriteArrayList<>();
    // An OpenTelemetry that notes which instrumentation asked it for a tracer (no SDK needed to see the wiring).
    OpenTelemetry application = new OpenTelemetry() {
      @Override
      public TracerProvider getTracerProvider() {
        return new TracerProvider() {
          @Override
          public Tracer get(String instrumentationScopeName) {
            tracersAskedFor.add(instrumentationScopeName);
            return TracerProvider.noop().get(instrumentationScopeName);
          }

          @Override
          public Tracer get(String instrumentationScopeName, String instrumentationScopeVersion) {
            return get(instrumentationScopeName);
          }
        };
      }

      @Override
      public ContextPropagators getPropagators() {
        return ContextPropagators.noop();
      }
    };
    runner().withPropertyValues("mesh.workload=catalog").withBean(OpenTelemetry.class, () -> application)
        .run(context -> {
          assertThat(context).hasSingleBean(Mesh.class);
          assertThat(tracersAskedFor).contains("io.inmesh");
        });
  }

  @Test
  void isOffWhenMeshEnabledIsFalse() {
    runner().withPropertyValues("mesh.enabled=false", "mesh.workload=catalog")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Mesh.class)
            .doesNotHaveBean(MeshClients.class).doesNotHaveBean(MeshEndpoint.class)
            .doesNotHaveBean(MeshHealthIndicator.class));
  }

  @Test
  void failsWithAClearMessageWithoutAConfigLocation() {
    new ApplicationContextRunner().withConfiguration(STARTER).withPropertyValues("mesh.workload=catalog")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("mesh.config.location is required"));
  }

  @Test
  void failsWithAClearMessageWithoutAWorkloadName() {
    runner().run(context -> assertThat(context).hasFailed().getFailure().rootCause()
        .hasMessageContaining("mesh.workload (or spring.application.name) is required"));
  }

  @Test
  void everyBeanCanBeReplacedByTheApplications() {
    runner().withPropertyValues("mesh.workload=catalog").withUserConfiguration(OwnBeans.class).run(context -> {
      assertThat(context.getBean(MeshClients.class)).isSameAs(context.getBean(OwnBeans.class).clients);
      assertThat(context.getBean(MeshShutdown.class)).isSameAs(OwnBeans.SHUTDOWN);
      assertThat(context.getBean(MeshEndpoint.class)).isSameAs(OwnBeans.ENDPOINT);
      assertThat(context.getBean("meshHealthIndicator")).isSameAs(OwnBeans.HEALTH);
      assertThat(context.getBean("meshRestClientCustomizer")).isSameAs(OwnBeans.CUSTOMIZER);
    });
  }

  @Test
  void anApplicationsOwnMeshIsUsedInsteadOfBuildingOne() {
    new ApplicationContextRunner().withConfiguration(STARTER).withBean(Mesh.class,
            () -> Mesh.builder().workload("catalog").config(yaml).watch(false).build())
        .run(context -> {
          assertThat(context).hasSingleBean(Mesh.class).hasSingleBean(MeshClients.class);
          assertThat(context.getBean(Mesh.class).workload().name()).isEqualTo("catalog");
        });
  }

  @Test
  void builderCustomizersRunBeforeTheMeshIsBuilt() {
    runner().withPropertyValues("mesh.workload=ignored")
        .withBean(MeshBuilderCustomizer.class, () -> b -> b.workload("api-service"))
        .run(context -> assertThat(context.getBean(Mesh.class).workload().name()).isEqualTo("api-service"));
  }

  @Test
  void meshClientInjectsEveryTypeIntoFieldsAndConstructorParameters() {
    runner().withPropertyValues("mesh.workload=catalog").withUserConfiguration(Injected.Config.class)
        .run(context -> {
          Injected injected = context.getBean(Injected.class);
          MeshClients clients = context.getBean(MeshClients.class);
          assertThat(injected.rest).isNotNull().isSameAs(clients.client("api-service", RestClient.class));
          assertThat(injected.template).isNotNull().isSameAs(clients.client("api-service", RestTemplate.class));
          assertThat(injected.okHttp).isSameAs(clients.okHttpClient());
          assertThat(injected.jdk).isSameAs(clients.httpClient());
          assertThat(injected.template.getUriTemplateHandler().expand("/x").toString())
              .isEqualTo("http://api-service/x");
        });
  }

  @Test
  void aMeshClientForAnUnknownServiceFailsTheStartUpNamingIt() {
    runner().withPropertyValues("mesh.workload=catalog").withUserConfiguration(Typo.class)
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("@MeshClient(\"api-servce\")")
            .hasStackTraceContaining("no service 'api-servce' in the mesh configuration (known: api-service, "
                + "catalog)"));
  }

  @Test
  void deregistersInstancesWhenTheContextCloses() {
    List<String> events = new CopyOnWriteArrayList<>();
    runner().withPropertyValues("mesh.workload=catalog")
        .withBean(MeshInstanceRegistration.class, () -> () -> events.add("deregistered"))
        .run(context -> assertThat(events).isEmpty());

    assertThat(events).containsExactly("deregistered");
  }

  @Test
  void healthIsUpWithTheConfigurationInForce() {
    runner().withPropertyValues("mesh.workload=catalog").run(context -> {
      Health health = context.getBean(MeshHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("configVersion", 1L)
          .containsEntry("certificate", "none (mTLS disabled)");
    });
  }

  @Test
  void servletApplicationsGetTheFilterFirstOnEveryPathAndTheServerCustomizers() {
    new WebApplicationContextRunner().withConfiguration(STARTER)
        .withPropertyValues("mesh.config.location=" + yaml, "mesh.admin.port=0", "mesh.workload=catalog")
        .run(context -> {
          FilterRegistrationBean<?> filter = context.getBean("meshFilterRegistration", FilterRegistrationBean.class);
          assertThat(filter.getUrlPatterns()).containsExactly("/*");
          assertThat(filter.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE + 1);
          assertThat(context).hasSingleBean(TomcatMeshTls.class).hasSingleBean(JettyMeshTls.class);
        });
  }

  @Test
  void meshServerMtlsFalseLeavesTheEmbeddedServerAlone() {
    new WebApplicationContextRunner().withConfiguration(STARTER)
        .withPropertyValues("mesh.config.location=" + yaml, "mesh.admin.port=0", "mesh.workload=catalog",
            "mesh.server.mtls=false")
        .run(context -> assertThat(context).hasBean("meshFilterRegistration")
            .doesNotHaveBean(TomcatMeshTls.class).doesNotHaveBean(JettyMeshTls.class));
  }

  @Test
  void nonWebApplicationsGetNoFilter() {
    runner().withPropertyValues("mesh.workload=catalog")
        .run(context -> assertThat(context).doesNotHaveBean("meshFilterRegistration")
            .doesNotHaveBean(TomcatMeshTls.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final MeshShutdown SHUTDOWN = new MeshShutdown(List.of());
    static final RestClientCustomizer CUSTOMIZER = b -> {};
    static MeshEndpoint ENDPOINT;
    static MeshHealthIndicator HEALTH;
    MeshClients clients;

    @Bean
    MeshClients meshClients(Mesh mesh) {
      clients = new MeshClients(mesh, null);
      return clients;
    }

    @Bean
    MeshShutdown meshShutdown() {
      return SHUTDOWN;
    }

    @Bean
    MeshEndpoint meshEndpoint(Mesh mesh) {
      ENDPOINT = new MeshEndpoint(mesh);
      return ENDPOINT;
    }

    @Bean
    MeshHealthIndicator meshHealthIndicator(Mesh mesh) {
      HEALTH = new MeshHealthIndicator(mesh);
      return HEALTH;
    }

    @Bean
    RestClientCustomizer meshRestClientCustomizer() {
      return CUSTOMIZER;
    }
  }

  static class Injected {
    @MeshClient("api-service")
    RestTemplate template;
    @MeshClient("api-service")
    HttpClient jdk;
    final RestClient rest;
    final OkHttpClient okHttp;

    Injected(@MeshClient("api-service") RestClient rest, @MeshClient("api-service") OkHttpClient okHttp) {
      this.rest = rest;
      this.okHttp = okHttp;
    }

    @Configuration(proxyBeanMethods = false)
    @Import(Injected.class)
    static class Config {}
  }

  @Configuration(proxyBeanMethods = false)
  static class Typo {
    @Bean
    Object typo(@MeshClient("api-servce") RestClient client) {
      return client;
    }
  }
}
