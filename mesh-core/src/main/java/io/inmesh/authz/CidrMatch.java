package io.inmesh.authz;

import io.inmesh.config.internal.InetAddressParser;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** An IP address or CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); never resolves a host name. */
final class CidrMatch implements ValueMatcher {
  private final byte[] network;
  private final int prefixBits;

  private CidrMatch(byte[] network, int prefixBits) {
    this.network = network;
    this.prefixBits = prefixBits;
  }

  /** Compiles a validated block; throws IllegalArgumentException for anything else. */
  static CidrMatch of(String block) {
    int slash = block.indexOf('/');
    byte[] addr = parse(slash < 0 ? block : block.substring(0, slash));
    if (addr == null) {
      throw new IllegalArgumentException("not an IP address: " + block);
    }
    int bits = slash < 0 ? addr.length * 8 : Integer.parseInt(block.substring(slash + 1));
    return new CidrMatch(addr, bits);
  }

  /** The bytes of an IP literal (brackets allowed around IPv6), or null when {@code text} is not one. */
  static byte @Nullable [] parse(@Nullable String text) {
    if (text == null) {
      return null;
    }
    String s = text.trim();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    // Only literals reach InetAddress, which therefore never does a DNS lookup (a header value is attacker input).
    if (!InetAddressParser.isIpv4Literal(s) && !InetAddressParser.isIpv6Literal(s)) {
      return null;
    }
    try {
      byte[] b = InetAddress.getByName(s).getAddress();
      // An IPv4-mapped IPv6 address (::ffff:10.1.2.3) is the IPv4 address, as Envoy treats it.
      if (b.length == 16 && isMappedV4(b)) {
        return new byte[] {b[12], b[13], b[14], b[15]};
      }
      return b;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isMappedV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  @Override
  public boolean matches(@Nullable String value) {
    byte[] addr = parse(value);
    if (addr == null || addr.length != network.length) {
      return false;
    }
    int full = prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (addr[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (addr[full] & mask) == (network[full] & mask);
  }
}
