package io.inmesh.config.internal;

/**
 * IP literal checks that never touch DNS (InetAddress.getByName would resolve a host name). ASCII digits only:
 * {@link Character#isDigit} accepts other scripts' digits too, and a value such as {@code ١٠.0.0.1} (from a request
 * header) would then pass as a literal and make {@code InetAddress.getByName} query DNS.
 */
public final class InetAddressParser {
  private InetAddressParser() {}

  public static boolean isIpv4Literal(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return false;
      }
      if (Integer.parseInt(p) > 255 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
    }
    return true;
  }

  public static boolean isIpv6Literal(String s) {
    if (s.isEmpty() || s.indexOf('%') >= 0) {
      return false;
    }
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
    String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
    int groups = 0;
    String[] all = (head + (tail.isEmpty() ? "" : (head.isEmpty() ? "" : ":") + tail)).split(":", -1);
    if (head.isEmpty() && tail.isEmpty()) {
      return doubleColon >= 0;
    }
    for (int i = 0; i < all.length; i++) {
      String g = all[i];
      if (i == all.length - 1 && g.indexOf('.') >= 0) {
        if (!isIpv4Literal(g)) {
          return false;
        }
        groups += 2;
        continue;
      }
      if (g.isEmpty() || g.length() > 4 || !g.chars().allMatch(InetAddressParser::isAsciiHexDigit)) {
        return false;
      }
      groups++;
    }
    return doubleColon >= 0 ? groups < 8 : groups == 8;
  }

  private static boolean isAsciiHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
