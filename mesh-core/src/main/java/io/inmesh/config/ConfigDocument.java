package io.inmesh.config;

import java.util.Objects;

/**
 * The text of one configuration file (or of one key of a config server), with where it came from.
 *
 * @param origin the file path or URL, used in every problem reported about it
 * @param content the YAML text
 */
public record ConfigDocument(String origin, String content) {
  public ConfigDocument {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(content, "content");
  }

  @Override
  public String toString() {
    return "ConfigDocument[" + origin + ", " + content.length() + " chars]";
  }
}
