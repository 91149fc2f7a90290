package io.inmesh.config;

import java.util.List;

/**
 * A configuration that passed validation.
 *
 * @param config the configuration
 * @param warnings problems that do not reject it
 * @param contentHash SHA-256 of the documents it was read from (hex); equal text gives an equal hash
 */
public record LoadedConfig(MeshConfig config, List<ConfigProblem> warnings, String contentHash) {
  public LoadedConfig {
    warnings = List.copyOf(warnings);
  }
}
