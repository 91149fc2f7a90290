package io.inmesh.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.inbound.PathNormalizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Path-confusion attacks (CVE-2021-31920 and the Spring matcher CVEs) sent with a raw socket to real Tomcat 11 and
 * Jetty 12 servers, against a policy that denies {@code /admin} and one that allows only {@code /public/*}. For each
 * path: the expected status, and the application either was not called or saw exactly the path authorization
 * judged, and that path is one the policy allows.
 */
class HostilePathsTest {
  static final String DENY_ADMIN = """
      telemetry: {tracing: {enabled: false}} # spans are not what these tests look at
      mesh: {defaults: {mtlsMode: DISABLE}} # plaintext servers
      inbound:
        authorization:
          - {name: deny-admin, action: DENY, rules: [{to: [{operation: {paths: [/admin, /admin/*]}}]}]}
      """;
  static final String ALLOW_PUBLIC = """
      telemetry: {tracing: {enabled: false}} # spans are not what these tests look at
      mesh: {defaults: {mtlsMode: DISABLE}} # plaintext servers
      inbound:
        authorization:
          - {name: public-only, rules: [{to: [{operation: {paths: ['/public/*']}}]}]}
      """;

  /**
   * Path | status under deny-admin | status under public-only: one status for every container, or
   * {@code tomcat/jetty/tomcat-lenient/jetty-lenient}. 400 comes from the container (which refuses most of these
   * by default) or from the mesh's normalisation; 403 from authorization; 200 from the application. With the lenient
   * containers the hostile paths reach the mesh, which refuses or denies them.
   */
  static final String CASES = """
      /admin/secret                      | 403             | 403
      /public/../admin/secret            | 403             | 403
      /public/%2e%2e/admin/secret        | 403/400/403/403 | 403/400/403/403
      /public/%2E%2E/admin/secret        | 403/400/403/403 | 403/400/403/403
      /public/.%2e/admin/secret          | 403/400/403/403 | 403/400/403/403
      /public/%2e%2e%2fadmin/secret      | 400/400/403/400 | 400/400/403/400
      /public/..%2fadmin/secret          | 400/400/403/400 | 400/400/403/400
      /admin%2fsecret                    | 400/400/403/403 | 400/400/403/403
      /%2fadmin/secret                   | 400/400/403/400 | 400/400/403/400
      /public/..%5cadmin/secret          | 400/400/403/400 | 400/400/403/400
      /public/..\\admin/secret           | 400/400/403/400 | 400/400/403/400
      //admin/secret                     | 403/400/403/400 | 403/400/403/400
      /./admin/secret                    | 403             | 403
      /public//../admin/secret           | 403/400/403/400 | 403/400/403/400
      /admin/./secret                    | 403             | 403
      /admin;/secret                     | 400             | 400
      /admin;jsessionid=1/secret         | 400             | 400
      /public/..;/admin/secret           | 400             | 400
      /%61dmin/secret                    | 403             | 403
      /public/%252e%252e/admin/secret    | 400             | 400
      /public/%c0%ae%c0%ae/admin/secret  | 400             | 400
      /admin%00/secret                   | 400             | 400
      /public/..%00/admin                | 400             | 400
      /public/../../admin/secret         | 400             | 400
      /..                                | 400             | 400
      /public/%u002e%u002e/admin         | 400             | 400
      /ADMIN/secret                      | 200             | 403
      /admin                             | 403             | 403
      /admin/                            | 403             | 403
      /public/x?/../../admin             | 200             | 200
      /public/%2e/x                      | 200/400/200/200 | 200/400/200/200
      /public/caf%C3%A9                  | 200             | 200
      /public/a%20b                      | 200             | 200
      /public/../public/x                | 200             | 200
      """;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"tomcat, deny-admin", "jetty, deny-admin", "tomcat, public-only", "jetty, public-only",
      "tomcat-lenient, deny-admin", "jetty-lenient, deny-admin", "tomcat-lenient, public-only",
      "jetty-lenient, public-only"})
  void hostilePathsNeverReachAPathThePolicyDenies(String container, String policy) throws Exception {
    boolean denyAdmin = policy.equals("deny-admin");
    Predicate<String> allowedByPolicy = denyAdmin
        ? p -> !p.equals("/admin") && !p.startsWith("/admin/")
        : p -> p.startsWith("/public/");
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, denyAdmin ? DENY_ADMIN : ALLOW_PUBLIC);
    RecordingServlet app = new RecordingServlet();
    try (Mesh mesh = Mesh.builder().workload("web").config(file).watch(false).loadStageProviders(false).build();
        ServletContainer server = ServletContainer.start(container, dir, List.of(MeshServlet.filter(mesh)), app)) {
      SoftAssertions softly = new SoftAssertions();
      List<String[]> cases = CASES.lines().map(l -> l.split("\\|")).toList();
      assertThat(cases).hasSizeGreaterThanOrEqualTo(25);
      for (String[] c : cases) {
        String target = c[0].trim().replace("\\\\", "\\");
        String expected = c[denyAdmin ? 1 : 2].trim();
        String[] byContainer = expected.split("/");
        if (byContainer.length > 1) {
          expected = byContainer[List.of("tomcat", "jetty", "tomcat-lenient", "jetty-lenient").indexOf(container)];
        }
        app.seen.clear();
        RawHttp.Response r = RawHttp.get(server.port(), target);
        List<RecordingServlet.Seen> seen = new ArrayList<>(app.seen);
        softly.assertThat(r.status()).as("%s %s %s", container, policy, target).isEqualTo(Integer.parseInt(expected));
        if (r.status() == 200) {
          softly.assertThat(seen).as("%s: 200 comes from the application", target).hasSize(1);
        }
        for (RecordingServlet.Seen s : seen) {
          softly.assertThat(s.judged()).as("%s: judged path", target).isNotNull();
          softly.assertThat(s.path()).as("%s: the application routes on the judged path", target)
              .isEqualTo(PathNormalizer.decode(s.judged()));
          softly.assertThat(allowedByPolicy.test(s.judged())).as("%s: %s allowed by %s", target, s.judged(), policy)
              .isTrue();
        }
      }
      softly.assertAll();
    }
  }
}
