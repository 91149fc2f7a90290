package io.inmesh.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration was rejected. Carries every problem found in one run, not just the first.
 *
 * <p>Unchecked: a bad configuration is an operator error, reported at start-up or on reload, never on the request
 * path.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  /** Creates an exception for the given problems (at least one of which is an error). */
  public ConfigException(List<ConfigProblem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, errors and warnings, in source order. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  /** Only the problems that reject the configuration. */
  public List<ConfigProblem> errors() {
    return problems.stream().filter(ConfigProblem::isError).toList();
  }

  private static String render(List<ConfigProblem> problems) {
    long errors = problems.stream().filter(ConfigProblem::isError).count();
    return "invalid mesh configuration (" + errors + (errors == 1 ? " error" : " errors") + "):\n"
        + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
  }
}
