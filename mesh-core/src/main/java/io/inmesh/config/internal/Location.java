package io.inmesh.config.internal;

/** Where a YAML node starts: origin (file or URL), 1-based line and column. */
public record Location(String origin, int line, int column) {
  @Override
  public String toString() {
    return origin + ":" + line + ":" + column;
  }
}
