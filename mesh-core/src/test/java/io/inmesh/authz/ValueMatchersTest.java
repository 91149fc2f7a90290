package io.inmesh.authz;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.pipeline.MeshHeaders;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The in-place comparisons (regions, port numbers, IPv4 without parsing) give what the string comparisons gave. */
class ValueMatchersTest {

  /** WildcardMatch as it was: lower-case the value when ignoring case, then compare strings. */
  static boolean oracle(String pattern, boolean ignoreCase, @Nullable String value) {
    if (value == null) {
      return false;
    }
    String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
    if (p.equals("*")) {
      return !v.isEmpty();
    }
    if (p.length() > 1 && p.endsWith("*")) {
      return v.startsWith(p.substring(0, p.length() - 1));
    }
    if (p.length() > 1 && p.startsWith("*")) {
      return v.endsWith(p.substring(1));
    }
    return v.equals(p);
  }

  @Test
  void wildcardRegionsMatchAsTheirCopiesDid() {
    String[] pieces = {"a", "B", "b", ".", ":", "İ", "ı", "i", "I", "\u212A", "k", "8"};
    String[] patterns = {"*", "ab*", "*.b", "ab", "AB", "i*", "*ı", "İ", "k", "\u212A*", "a:8", "*8"};
    Random random = new Random(11);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder sb = new StringBuilder();
      for (int i = random.nextInt(6); i > 0; i--) {
        sb.append(pieces[random.nextInt(pieces.length)]);
      }
      String value = sb.toString();
      int from = random.nextInt(value.length() + 1);
      int to = from + random.nextInt(value.length() - from + 1);
      String pattern = patterns[random.nextInt(patterns.length)];
      boolean ignoreCase = random.nextBoolean();
      assertThat(WildcardMatch.of(pattern, ignoreCase).matches(value, from, to))
          .as("'%s' ignoreCase=%s on '%s'[%d, %d)", pattern, ignoreCase, value, from, to)
          .isEqualTo(oracle(pattern, ignoreCase, value.substring(from, to)));
    }
  }

  @Test
  void portsMatchAsTheirDecimalFormDid() {
    for (String pattern : List.of("8080", "80", "080", "+80", "80*", "*80", "*", "65535", "0")) {
      WildcardMatch m = WildcardMatch.of(pattern);
      for (int port = 0; port <= 65_535; port++) {
        if (m.matchesNumber(port) != oracle(pattern, false, Integer.toString(port))) {
          throw new AssertionError("pattern " + pattern + " port " + port);
        }
      }
    }
  }

  /** CidrMatch as it was: parse the value into bytes, compare the prefix. */
  static boolean oracle(String block, String value) {
    int slash = block.indexOf('/');
    byte[] network = CidrMatch.parse(slash < 0 ? block : block.substring(0, slash));
    byte[] addr = CidrMatch.parse(value);
    if (network == null || addr == null || addr.length != network.length) {
      return false;
    }
    int bits = slash < 0 ? network.length * 8 : Integer.parseInt(block.substring(slash + 1));
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((addr[i / 8] & mask) != (network[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void ipv4ValuesMatchAsTheParsedBytesDid() {
    List<String> blocks = List.of("10.0.0.0/8", "10.1.2.0/23", "10.1.2.3", "0.0.0.0/0", "192.168.7.7/32",
        "255.255.255.255/31", "2001:db8::/32", "::ffff:10.0.0.0/104", "10.1.2.3/0");
    String[] octets = {"0", "1", "2", "3", "10", "7", "168", "192", "255", "256", "01", "00", "999", "", " 1", "1 "};
    Random random = new Random(3);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder v = new StringBuilder();
      int parts = 3 + random.nextInt(3);
      for (int i = 0; i < parts; i++) {
        v.append(i == 0 ? "" : ".").append(octets[random.nextInt(octets.length)]);
      }
      String value = v.toString();
      for (String block : blocks) {
        assertThat(CidrMatch.of(block).matches(value)).as("%s in %s", value, block)
            .isEqualTo(oracle(block, value));
      }
    }
    for (String value : List.of("::ffff:10.9.8.7", "[::1]", "2001:db8::7", " 10.1.2.3 ", "10.1.2.3.", "1.2.3")) {
      for (String block : blocks) {
        assertThat(CidrMatch.of(block).matches(value)).as("%s in %s", value, block)
            .isEqualTo(oracle(block, value));
      }
    }
  }

  @Test
  void anAddressWithNonAsciiDigitsIsNotAnAddressAndIsNeverResolved() {
    // InetAddress would take "١٠.0.0.1" for a host name and ask DNS: an X-Forwarded-For value is attacker input.
    assertThat(CidrMatch.parse("\u0661\u0660.0.0.1")).isNull();
    assertThat(CidrMatch.of("0.0.0.0/0").matches("\u0661\u0660.0.0.1")).isFalse();
  }

  @Test
  void theNamespaceAndHostAreFoundInPlaceAsTheirCopiesAre() {
    for (String principal : Arrays.asList(null, "cluster.local/ns/shop/sa/frontend", "cluster.local/ns/shop",
        "cluster.local/ns//sa/x", "cluster.local/sa/x", "td/ns/a/ns/b")) {
      AuthorizationRequest r = request("catalog.shop:8080", principal);
      String namespace = r.sourceNamespace();
      for (String pattern : List.of("shop", "sh*", "*", "*p", "a")) {
        assertThat(fieldHolds("namespaces", pattern, r)).as("%s ~ %s", principal, pattern)
            .isEqualTo(oracle(pattern, false, namespace));
      }
    }
    assertThat(request("catalog.shop:8080", null).host()).isEqualTo("catalog.shop");
    assertThat(request("[::1]:8080", null).host()).isEqualTo("[::1]");
    assertThat(request("[::1", null).host()).isEqualTo("[::1");
    assertThat(request("Catalog.Shop", null).host()).isEqualTo("Catalog.Shop");
    assertThat(fieldHolds("hosts", "[::1]", request("[::1]:8080", null))).isTrue();
    assertThat(fieldHolds("hosts", "catalog.*", request("CATALOG.shop:8080", null))).isTrue();
    assertThat(fieldHolds("hosts", "*:8080", request("catalog.shop:8080", null))).isTrue();
    assertThat(fieldHolds("hosts", "*:8080", request("catalog.shop", null))).isFalse();
  }

  private static boolean fieldHolds(String field, String pattern, AuthorizationRequest r) {
    String rule = field.equals("hosts") ? AuthorizationPoliciesTest.to("hosts: ['" + pattern + "']")
        : AuthorizationPoliciesTest.from(field + ": ['" + pattern + "']");
    return AuthorizationPoliciesTest.compile(List.of(AuthorizationPoliciesTest.allow(rule)))
        .evaluate(r, name -> null).allowed();
  }

  private static AuthorizationRequest request(String authority, @Nullable String principal) {
    return new AuthorizationRequest("GET", authority, "/", MeshHeaders.empty(), 8080, principal, null, null, null,
        null);
  }
}
