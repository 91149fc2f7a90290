package io.inmesh.cli;

import static io.inmesh.cli.CliRun.mesh;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MeshCommandTest {

  @Test
  void helpListsTheValidateCommandAndExitsZero() {
    CliRun run = mesh("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines()).contains("Commands:").anySatisfy(line -> assertThat(line).startsWith("  validate  "));
    assertThat(run.err()).isEmpty();
  }

  @Test
  void noArgumentsAtAllIsAUsageErrorThatPrintsTheUsageToStderr() {
    CliRun run = mesh();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("mesh: missing command\nUsage: mesh [-hV] COMMAND\n").contains("  validate  ");
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun run = mesh("--frobnicate");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("mesh: Unknown option: '--frobnicate'\nRun 'mesh --help' for usage.\n");
  }

  @Test
  void misspelledCommandIsAUsageErrorWithASuggestion() {
    CliRun run = mesh("valdate", "mesh.yaml");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).containsPattern("Did you mean: mesh validate( or [a-z ]+)?\\?");
  }

  @Test
  void helpCommandShowsTheUsageOfASubcommand() {
    CliRun run = mesh("help", "validate");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: mesh validate [-hq] [--strict] FILE|DIR...\n");
  }

  @Test
  void versionNamesTheCommand() {
    CliRun run = mesh("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("mesh ");
  }
}
