package io.inmesh.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.ConfigProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiscoveryConfigTest {

  @Test
  void warnsThatALabelledSubsetOfADnsServiceSelectsNothing() {
    var loaded = ConfigLoader.create().loadDocuments(List.of(new ConfigDocument("mesh.yaml", """
        services:
          - name: search
            discovery: {type: DNS, hostname: search.internal.example}
            subsets:
              - {name: all}
              - {name: v2, labels: {version: v2}}
        """)));

    assertThat(loaded.warnings()).extracting(ConfigProblem::toString).containsExactly(
        "mesh.yaml:6:28: warning: services[0].subsets[1].labels: DNS-discovered endpoints carry no labels: subset 'v2'"
            + " selects none of them (expected: no labels, or discovery type STATIC or REGISTRY)");
  }
}
