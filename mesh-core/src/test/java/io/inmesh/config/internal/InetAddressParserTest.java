package io.inmesh.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InetAddressParserTest {

  @Test
  void acceptsAsciiLiterals() {
    for (String v4 : List.of("10.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.1.20")) {
      assertThat(InetAddressParser.isIpv4Literal(v4)).as(v4).isTrue();
    }
    for (String v6 : List.of("::1", "::", "fe80::1", "2001:DB8::ff00:42:8329", "::ffff:10.0.0.1",
        "2001:db8:0:0:0:0:2:1")) {
      assertThat(InetAddressParser.isIpv6Literal(v6)).as(v6).isTrue();
    }
  }

  @Test
  void refusesOtherScriptsDigitsThatJavaCallsDigits() {
    // Arabic-Indic, Devanagari and fullwidth digits: Character.isDigit and Integer.parseInt accept them, and a
    // "literal" made of them would reach InetAddress.getByName, which resolves it through DNS.
    for (String v4 : List.of("\u0661\u0660.0.0.1", "1\u0966.0.0.1", "\uff11\uff10.0.0.1")) {
      assertThat(InetAddressParser.isIpv4Literal(v4)).as(v4).isFalse();
    }
    for (String v6 : List.of("fe80::\uff11", "\u0661::1", "::ffff:\u0661\u0660.0.0.1")) {
      assertThat(InetAddressParser.isIpv6Literal(v6)).as(v6).isFalse();
    }
  }

  @Test
  void refusesNamesAndMalformedLiterals() {
    for (String s : List.of("localhost", "10.0.0", "10.0.0.256", "010.0.0.1", "10.0.0.1.", "1.2.3.4.5", "")) {
      assertThat(InetAddressParser.isIpv4Literal(s)).as(s).isFalse();
    }
    for (String s : List.of("fe80::1%eth0", "1::2::3", "12345::1", "g::1", "1:2:3:4:5:6:7")) {
      assertThat(InetAddressParser.isIpv6Literal(s)).as(s).isFalse();
    }
  }
}
