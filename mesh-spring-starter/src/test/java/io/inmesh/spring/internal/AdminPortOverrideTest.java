package io.inmesh.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.MeshConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminPortOverrideTest {

  @Test
  void replacesTheBlockPortKeepingItsOtherFieldsAndEveryLineNumber() {
    String yaml = """
        mesh:
          defaultNamespace: shop
        admin:
          # loopback only
          bindAddress: 127.0.0.2

          port: 9901
        services:
          - name: catalog
            endpoints: [{address: 127.0.0.1, port: 1}]
        """;

    String rewritten = AdminPortOverride.rewrite(yaml, 7000);

    assertThat(rewritten).isNotNull();
    assertThat(rewritten.lines().count()).isEqualTo(yaml.lines().count());
    assertThat(rewritten.lines().toList().get(7)).isEqualTo("services:");
    MeshConfig config = load(rewritten);
    assertThat(config.admin().port()).isEqualTo(7000);
    assertThat(config.admin().bindAddress()).isEqualTo("127.0.0.2");
    assertThat(config.services()).hasSize(1);
  }

  @Test
  void rewritesFlowStyleAndKeepsDisabledAdminDisabled() {
    String rewritten = AdminPortOverride.rewrite("admin: {enabled: false, port: 9901}\n", 0);

    MeshConfig config = load(rewritten);
    assertThat(config.admin().enabled()).isFalse();
    assertThat(config.admin().port()).isZero();
  }

  @Test
  void problemsAfterTheAdminBlockStillPointAtTheirLine() {
    String yaml = "admin:\n  port: 9901\n  bindAddress: 127.0.0.1\nmesh:\n  defaultNamespce: x\n";

    try {
      load(AdminPortOverride.rewrite(yaml, 1234));
    } catch (ConfigException e) {
      assertThat(e.problems()).anySatisfy(p -> assertThat(p.line()).isEqualTo(5));
      return;
    }
    throw new AssertionError("the misspelt field should be reported");
  }

  @Test
  void addsAnAdminDocumentWhenNoDocumentHasOne() {
    List<ConfigDocument> docs = AdminPortOverride.override(
        List.of(new ConfigDocument("a.yaml", "mesh:\n  defaultNamespace: shop\n")), 4321);

    assertThat(docs).hasSize(2);
    assertThat(ConfigLoader.create().loadDocuments(docs).config().admin().port()).isEqualTo(4321);
  }

  @Test
  void leavesDocumentsWithoutAnAdminSectionUnchanged() {
    assertThat(AdminPortOverride.rewrite("mesh:\n  administrator: x\n# admin: not a key\n", 1)).isNull();
  }

  private static MeshConfig load(String yaml) {
    return ConfigLoader.create().loadDocuments(List.of(new ConfigDocument("mesh.yaml", yaml))).config();
  }
}
