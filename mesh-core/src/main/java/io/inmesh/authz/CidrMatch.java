package io.inmesh.authz;

import io.inmesh.config.internal.InetAddressParser;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** An IP address or CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); never resolves a host name. */
final class CidrMatch implements ValueMatcher {
  private static final int NOT_IPV4 = -1;

  private final byte[] network;
  private final int prefixBits;
  /** An IPv4 block as ints, for the common case of a plain dotted-quad value matched without parsing into bytes. */
  private final boolean ipv4;
  private final int network4;
  private final int mask4;

  private CidrMatch(byte[] network, int prefixBits) {
    this.network = network;
    this.prefixBits = prefixBits;
    this.ipv4 = network.length == 4 && prefixBits >= 0 && prefixBits <= 32;
    this.mask4 = !ipv4 || prefixBits == 0 ? 0 : -1 << (32 - prefixBits);
    this.network4 = ipv4 ? toInt(network) & mask4 : 0;
  }

  private static int toInt(byte[] b) {
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
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
    // InetAddress reads non-ASCII digits too ("١٠.0.0.1"), and, taking the text for a host name, would resolve it.
    if (!isAscii(s)) {
      return null;
    }
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

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * A strict dotted quad ({@code 10.1.2.3}: four decimal parts of 1 to 3 ASCII digits, at most 255, no leading zero,
   * nothing around) as an unsigned int in a long, or {@link #NOT_IPV4}: exactly the values {@link #parse} reads as
   * these four bytes. Anything else (IPv6, brackets, spaces) goes the slow way.
   */
  private static long strictIpv4(String s) {
    long address = 0;
    int part = 0;
    int digits = 0;
    int parts = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        if (digits == 3 || digits == 1 && part == 0) {
          return NOT_IPV4; // four digits, or a leading zero
        }
        part = part * 10 + (c - '0');
        digits++;
      } else if (c == '.' && digits > 0 && part <= 255 && parts < 4) {
        address = address << 8 | part;
        parts++;
        part = 0;
        digits = 0;
      } else {
        return NOT_IPV4;
      }
    }
    return parts == 4 ? address : NOT_IPV4;
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
    if (value == null) {
      return false;
    }
    long v4 = strictIpv4(value);
    if (v4 != NOT_IPV4) {
      // The common case (a peer address as the transport reports it), compared without allocating.
      return ipv4 ? ((int) v4 & mask4) == network4 : matchesBytes(parse(value));
    }
    return matchesBytes(parse(value));
  }

  private boolean matchesBytes(byte @Nullable [] addr) {
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
