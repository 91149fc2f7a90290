package io.inmesh.config;

import org.jspecify.annotations.Nullable;

/**
 * One thing wrong (or worth a warning) in a mesh configuration, located in its source.
 *
 * <p>{@link #toString()} renders the one format every InMesh tool prints:
 * {@code FILE:LINE:COLUMN: path.to.field: message (expected: ...)}.
 *
 * @param origin the file or URL the problem is in
 * @param line 1-based line, or 0 when unknown
 * @param column 1-based column, or 0 when unknown
 * @param path the field path, such as {@code services[2].routes[0].timeout}; empty for document-level problems
 * @param message what is wrong
 * @param expected what would be right, or null
 * @param severity whether the problem rejects the configuration
 */
public record ConfigProblem(
    String origin,
    int line,
    int column,
    String path,
    String message,
    @Nullable String expected,
    Severity severity) {

  /** Whether a problem rejects the configuration. */
  public enum Severity {
    /** The configuration is rejected. */
    ERROR,
    /** The configuration is accepted; the problem is reported. */
    WARNING
  }

  /** Returns true when this problem rejects the configuration. */
  public boolean isError() {
    return severity == Severity.ERROR;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(origin);
    if (line > 0) {
      sb.append(':').append(line).append(':').append(column);
    }
    sb.append(": ");
    if (severity == Severity.WARNING) {
      sb.append("warning: ");
    }
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    sb.append(message);
    if (expected != null) {
      sb.append(" (expected: ").append(expected).append(')');
    }
    return sb.toString();
  }
}
