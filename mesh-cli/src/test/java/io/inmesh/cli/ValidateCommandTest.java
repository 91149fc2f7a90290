package io.inmesh.cli;

import static io.inmesh.cli.CliRun.mesh;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

  @TempDir Path dir;

  @Test
  void acceptsTheSampleAndCountsServicesRoutesAndPolicies() {
    CliRun run = mesh("validate", "../samples/mesh.yaml");

    assertThat(run.out()).isEqualTo("OK: 3 services, 4 routes, 5 policies\n");
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void printsEveryProblemWithItsLocationThenTheErrorCountAndExitsOne() throws IOException {
    Path file = write("mesh.yaml", """
        services:
          - name: api
            ports: [{number: 70000}]
            routes:
              - route:
                  - destination: {host: apii}
                timeout: 5
        """);

    CliRun run = mesh("validate", file.toString());

    assertThat(run.outLines()).containsExactly(
        file + ":2:5: warning: services[0].endpoints: service 'api' has no endpoints: requests to it will fail"
            + " (expected: endpoints, or discovery type DNS or REGISTRY)",
        file + ":3:22: services[0].ports[0].number: 70000 (expected: a port between 1 and 65535)",
        file + ":6:33: services[0].routes[0].route[0].destination.host: unknown service 'apii', did you mean 'api'?"
            + " (expected: a service defined in services)",
        file + ":7:18: services[0].routes[0].timeout: '5' is not a duration: missing unit"
            + " (expected: a duration such as 250ms, 5s, 1m or 1h30m)",
        "FAILED: 3 errors");
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void quietPrintsOnlyTheSummaryLine() throws IOException {
    Path file = write("mesh.yaml", "admin: {port: -1}\n");

    CliRun run = mesh("validate", "--quiet", file.toString());

    assertThat(run.out()).isEqualTo("FAILED: 1 error\n");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void loadsTheFilesOfADirectoryAsOneConfigurationAndPrintsWarningsBeforeTheSummary() throws IOException {
    write("a-services.yaml", """
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1, port: 8080}]
          - name: audit
        """);
    // Routes to a service of the other file: only valid when both load as one configuration.
    write("b-edge.yaml", """
        services:
          - name: edge
            endpoints: [{address: 10.0.0.2, port: 8080}]
            routes:
              - route: [{destination: {host: orders}}]
        inbound:
          peerAuthentication:
            - name: default
              mtls: {mode: STRICT}
        """);
    write("notes.txt", "not yaml, ignored");

    CliRun run = mesh("validate", dir.toString());

    assertThat(run.outLines()).containsExactly(
        dir.resolve("a-services.yaml") + ":4:5: warning: services[1].endpoints: service 'audit' has no endpoints:"
            + " requests to it will fail (expected: endpoints, or discovery type DNS or REGISTRY)",
        "OK: 3 services, 1 route, 1 policy");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void combinesSeveralPathsIntoOneConfiguration() throws IOException {
    Path services = write("services.yaml", """
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1, port: 8080}]
        """);
    Path routes = write("edge.yaml", """
        services:
          - name: edge
            endpoints: [{address: 10.0.0.2, port: 8080}]
            routes:
              - route: [{destination: {host: orders}}]
        """);

    assertThat(mesh("validate", routes.toString()).exitCode()).isEqualTo(1);
    CliRun both = mesh("validate", services.toString(), routes.toString());

    assertThat(both.out()).isEqualTo("OK: 2 services, 1 route, 0 policies\n");
    assertThat(both.exitCode()).isZero();
  }

  @Test
  void missingFileIsAnInvalidConfigurationNotAUsageError() {
    Path missing = dir.resolve("nope.yaml");

    CliRun run = mesh("validate", missing.toString());

    assertThat(run.outLines()).containsExactly(missing + ": no such file or directory", "FAILED: 1 error");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void withoutPathsIsAUsageError() {
    CliRun run = mesh("validate");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo(
        "mesh: Missing required parameter: 'FILE|DIR'\nRun 'mesh validate --help' for usage.\n");
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun run = mesh("validate", "--frobnicate", "../samples/mesh.yaml");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("mesh: Unknown option: '--frobnicate'\nRun 'mesh validate --help' for usage.\n");
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
