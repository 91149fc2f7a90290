package io.inmesh.config.internal;

import io.inmesh.config.ConfigProblem;
import io.inmesh.config.ConfigProblem.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Collects every problem of one load, so that a single run reports all of them. */
public final class Problems {
  private final List<ConfigProblem> list = new ArrayList<>();

  public void error(Location at, String path, String message, @Nullable String expected) {
    add(at, path, message, expected, Severity.ERROR);
  }

  public void warning(Location at, String path, String message, @Nullable String expected) {
    add(at, path, message, expected, Severity.WARNING);
  }

  public void add(Location at, String path, String message, @Nullable String expected, Severity severity) {
    list.add(new ConfigProblem(at.origin(), at.line(), at.column(), path, message, expected, severity));
  }

  public void add(ConfigProblem problem) {
    list.add(problem);
  }

  public boolean hasErrors() {
    return list.stream().anyMatch(ConfigProblem::isError);
  }

  public int size() {
    return list.size();
  }

  /** Problems sorted by origin, line and column: the order a reader scans a file in. */
  public List<ConfigProblem> sorted() {
    List<ConfigProblem> copy = new ArrayList<>(list);
    copy.sort(
        Comparator.comparing(ConfigProblem::origin)
            .thenComparingInt(ConfigProblem::line)
            .thenComparingInt(ConfigProblem::column));
    return List.copyOf(copy);
  }
}
