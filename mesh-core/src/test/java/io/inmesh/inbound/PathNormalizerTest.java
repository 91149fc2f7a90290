package io.inmesh.inbound;

import static io.inmesh.config.PathNormalizationMode.BASE;
import static io.inmesh.config.PathNormalizationMode.DECODE_AND_MERGE_SLASHES;
import static io.inmesh.config.PathNormalizationMode.MERGE_SLASHES;
import static io.inmesh.config.PathNormalizationMode.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.PathNormalizationMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      /api/users            | /api/users
      /                     | /
      /a/./b                | /a/b
      /a/../b               | /b
      /a/b/..               | /a/
      /a/b/.                | /a/b/
      /a//b                 | /a/b
      //admin               | /admin
      /a///                 | /a/
      /%61dmin              | /admin
      /%2e%2e/x/../admin    | REJECT
      /x/%2e%2e/admin       | /admin
      /x/.%2E/admin         | /admin
      /admin%2Fsecret       | /admin/secret
      /admin%2fsecret       | /admin/secret
      /admin%5Csecret       | /admin/secret
      /public\\..\\admin    | /admin
      /a%20b                | /a%20b
      /a%3fb                | /a%3Fb
      /caf%C3%A9            | /caf%C3%A9
      /emoji%F0%9F%98%80    | /emoji%F0%9F%98%80
      /a%7Eb                | /a~b
      /a%25b                | /a%25b
      /a#frag/../../x       | /a
      """)
  void normalisesByDefault(String raw, String expected) {
    NormalizedPath n = PathNormalizer.normalize(raw, DECODE_AND_MERGE_SLASHES);
    if (expected.equals("REJECT")) {
      assertThat(n.rejected()).as(raw).isTrue();
    } else {
      assertThat(n.path()).as(raw).isEqualTo(expected);
      assertThat(n.rejection()).isNull();
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      /..                   | climbs above the root
      /a/../../b            | climbs above the root
      /%2e%2e/admin         | climbs above the root
      /a%00b                | NUL
      /a%0Ab                | encoded control character
      /a%zzb                | invalid percent-encoding
      /a%2                  | invalid percent-encoding
      /a%                   | invalid percent-encoding
      /%C0%AE%C0%AE/admin   | invalid or overlong UTF-8
      /%C0%AFadmin          | invalid or overlong UTF-8
      /%E0%80%AE            | invalid or overlong UTF-8
      /%ED%A0%80            | invalid or overlong UTF-8
      /%80                  | invalid or overlong UTF-8
      /%C3                  | invalid or overlong UTF-8
      /%C3%28               | invalid or overlong UTF-8
      /%F5%80%80%80         | invalid or overlong UTF-8
      /%252e%252e/admin     | double-encoded
      /a%252fb              | double-encoded
      /a%255Cb              | double-encoded
      /a%2500               | double-encoded
      /admin;x=1/secret     | path parameter
      /admin/..;/x          | path parameter
      api/users             | does not start with '/'
      ''                    | does not start with '/'
      """)
  void rejectsWhatCannotBeNormalisedUnambiguously(String raw, String reason) {
    NormalizedPath n = PathNormalizer.normalize(raw, DECODE_AND_MERGE_SLASHES);
    assertThat(n.path()).as(raw).isNull();
    assertThat(n.rejection()).as(raw).contains(reason);
  }

  @Test
  void rejectsRawControlSpaceAndNonAsciiCharacters() {
    for (String raw : new String[] {"/a b", "/a\u0000b", "/a\tb", "/a\u007fb", "/caf\u00e9"}) {
      assertThat(PathNormalizer.normalize(raw, DECODE_AND_MERGE_SLASHES).rejected()).as(raw).isTrue();
    }
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      BASE          | /a//b/../c     | /a//c
      BASE          | /a//b          | /a//b
      BASE          | /a/%2e%2e/b    | /b
      BASE          | /a%2Fb         | REJECT
      BASE          | /a\\b          | /a/b
      MERGE_SLASHES | /a//b/../c     | /a/c
      MERGE_SLASHES | /a%2Fb         | REJECT
      MERGE_SLASHES | //a            | /a
      NONE          | /a/../b        | /a/../b
      NONE          | /a%00b         | /a%00b
      """)
  void honoursTheConfiguredMode(PathNormalizationMode mode, String raw, String expected) {
    NormalizedPath n = PathNormalizer.normalize(raw, mode);
    if (expected.equals("REJECT")) {
      assertThat(n.rejected()).as(raw).isTrue();
    } else {
      assertThat(n.path()).as(raw).isEqualTo(expected);
    }
  }

  @Test
  void returnsTheSameStringForACleanPath() {
    String clean = "/api/v1/users/42";
    assertThat(PathNormalizer.normalize(clean, DECODE_AND_MERGE_SLASHES).path()).isSameAs(clean);
    assertThat(PathNormalizer.normalize(clean, MERGE_SLASHES).path()).isSameAs(clean);
    assertThat(PathNormalizer.normalize(clean, BASE).path()).isSameAs(clean);
    assertThat(PathNormalizer.normalize(clean, NONE).path()).isSameAs(clean);
  }

  @Test
  void decodesANormalisedPathFullyForComparisonWithTheContainer() {
    assertThat(PathNormalizer.decode("/caf%C3%A9/a%20b/%25")).isEqualTo("/caf\u00e9/a b/%");
    assertThat(PathNormalizer.decode("/plain")).isEqualTo("/plain");
  }
}
