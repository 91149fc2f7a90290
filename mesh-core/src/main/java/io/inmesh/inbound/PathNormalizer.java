package io.inmesh.inbound;

import io.inmesh.config.PathNormalizationMode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Inbound path normalisation (Istio {@code pathNormalization}), with InMesh's rejections: what cannot be normalised
 * unambiguously is refused, because authorization must judge exactly the path the application routes on
 * (CVE-2021-31920 and the Spring matcher CVEs are all a policy judging one path and an application serving another).
 *
 * <p>Every mode but NONE: percent-escapes of unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded once,
 * other escapes kept (hex in upper case); {@code \} is {@code /}; dot segments are resolved (RFC 3986). MERGE_SLASHES
 * also merges {@code //}; DECODE_AND_MERGE_SLASHES (the default) also decodes {@code %2F} and {@code %5C} to
 * {@code /} first. Rejected (400): a path not starting with {@code /}; raw control, space or non-ASCII characters;
 * {@code %00} and other encoded control characters; malformed escapes; invalid or overlong UTF-8 (such as
 * {@code %C0%AE}, an overlong {@code .}); double encoding of {@code . / \} or NUL ({@code %252e}); {@code %2F} or
 * {@code %5C} in modes that keep them (containers refuse or treat them differently); {@code ;} path parameters
 * (Tomcat and Jetty strip them before routing: {@code /admin;x/} is {@code /admin/} to the application); and a
 * {@code ..} that climbs above the root. A {@code #} ends the path (a fragment is never part of it); the query string
 * is never passed in.
 *
 * <p>NONE hands the path on untouched (and rejects nothing): authorization may then see a path the application does
 * not.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /** Normalises {@code rawPath} (the request target's path as sent, without query string). */
  public static NormalizedPath normalize(String rawPath, PathNormalizationMode mode) {
    if (mode == PathNormalizationMode.NONE) {
      return NormalizedPath.of(rawPath);
    }
    if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      return NormalizedPath.reject("path does not start with '/'");
    }
    if (isClean(rawPath)) {
      return NormalizedPath.of(rawPath); // the common case: nothing to decode, merge or resolve
    }
    boolean decodeSlashes = mode == PathNormalizationMode.DECODE_AND_MERGE_SLASHES;
    boolean merge = mode != PathNormalizationMode.BASE;
    StringBuilder decoded = new StringBuilder(rawPath.length());
    int n = rawPath.length();
    for (int i = 0; i < n; i++) {
      char c = rawPath.charAt(i);
      if (c == '#') {
        break;
      }
      if (c <= 0x20 || c == 0x7f) {
        return NormalizedPath.reject("control character or space in path");
      }
      if (c > 0x7e) {
        return NormalizedPath.reject("non-ASCII character in path (it must be percent-encoded)");
      }
      if (c == ';') {
        return NormalizedPath.reject("';' path parameter (servlet containers strip it before routing)");
      }
      if (c == '\\') {
        decoded.append('/');
        continue;
      }
      if (c != '%') {
        decoded.append(c);
        continue;
      }
      int b = hexByte(rawPath, i);
      if (b < 0) {
        return NormalizedPath.reject("invalid percent-encoding");
      }
      if (b >= 0x80) {
        int consumed = utf8(rawPath, i, decoded);
        if (consumed < 0) {
          return NormalizedPath.reject("invalid or overlong UTF-8 encoding");
        }
        i += consumed - 1;
        continue;
      }
      i += 2;
      if (b < 0x20 || b == 0x7f) {
        return NormalizedPath.reject(b == 0 ? "%00 (NUL) in path" : "encoded control character in path");
      }
      if (b == '/' || b == '\\') {
        if (!decodeSlashes) {
          return NormalizedPath.reject("encoded '/' or '\\' (%2F, %5C) is ambiguous");
        }
        decoded.append('/');
      } else if (isUnreserved(b)) {
        decoded.append((char) b);
      } else if (b == '%' && doubleEncodedDanger(rawPath, i + 1)) {
        return NormalizedPath.reject("double-encoded '.', '/', '\\' or NUL");
      } else {
        appendEscape(decoded, b);
      }
    }
    return resolveSegments(decoded, merge);
  }

  /** Fully percent-decodes a normalised path (UTF-8), for comparison with what a servlet container hands on. */
  public static String decode(String normalized) {
    if (normalized.indexOf('%') < 0) {
      return normalized;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(normalized.length());
    for (int i = 0; i < normalized.length(); i++) {
      char c = normalized.charAt(i);
      int b = c == '%' ? hexByte(normalized, i) : -1;
      if (b >= 0) {
        out.write(b);
        i += 2;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isClean(String p) {
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\' || c == ';' || c == '#') {
        return false;
      }
      if (c == '/' && i + 1 < p.length() && (p.charAt(i + 1) == '/' || p.charAt(i + 1) == '.')) {
        return false;
      }
    }
    return true;
  }

  private static NormalizedPath resolveSegments(CharSequence decoded, boolean merge) {
    String[] segments = decoded.toString().substring(1).split("/", -1);
    List<String> out = new ArrayList<>(segments.length);
    for (int k = 0; k < segments.length; k++) {
      String s = segments[k];
      boolean last = k == segments.length - 1;
      if (s.equals(".")) {
        if (last) {
          out.add("");
        }
      } else if (s.equals("..")) {
        if (out.isEmpty()) {
          return NormalizedPath.reject("'..' climbs above the root");
        }
        out.remove(out.size() - 1);
        if (last) {
          out.add("");
        }
      } else if (!(s.isEmpty() && merge && !last)) {
        out.add(s);
      }
    }
    return NormalizedPath.of("/" + String.join("/", out));
  }

  /** The byte of the escape at {@code i} ({@code %XY}), or -1 when malformed. */
  private static int hexByte(String s, int i) {
    if (i + 2 >= s.length()) {
      return -1;
    }
    int hi = Character.digit(s.charAt(i + 1), 16);
    int lo = Character.digit(s.charAt(i + 2), 16);
    return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
  }

  /**
   * Validates the UTF-8 sequence of escapes starting at {@code i} and appends it re-encoded; returns the number of
   * characters consumed, or -1 when it is not well-formed (stray continuation byte, truncated, overlong, surrogate,
   * beyond U+10FFFF).
   */
  private static int utf8(String s, int i, StringBuilder out) {
    int lead = hexByte(s, i);
    int length;
    int min2 = 0x80;
    int max2 = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) {
        min2 = 0xa0; // below: overlong
      } else if (lead == 0xed) {
        max2 = 0x9f; // above: UTF-16 surrogates
      }
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) {
        min2 = 0x90;
      } else if (lead == 0xf4) {
        max2 = 0x8f;
      }
    } else {
      return -1; // 0x80-0xC1 (continuation or overlong two-byte lead), 0xF5-0xFF
    }
    int[] bytes = new int[length];
    bytes[0] = lead;
    for (int k = 1; k < length; k++) {
      int at = i + 3 * k;
      if (at >= s.length() || s.charAt(at) != '%') {
        return -1;
      }
      int b = hexByte(s, at);
      if (b < 0 || b < (k == 1 ? min2 : 0x80) || b > (k == 1 ? max2 : 0xbf)) {
        return -1;
      }
      bytes[k] = b;
    }
    for (int b : bytes) {
      appendEscape(out, b);
    }
    return 3 * length;
  }

  /** After a decoded {@code %}: does {@code %XY} follow whose byte is '.', '/', '\' or NUL? */
  private static boolean doubleEncodedDanger(String s, int i) {
    if (i + 1 >= s.length()) {
      return false;
    }
    int hi = Character.digit(s.charAt(i), 16);
    int lo = Character.digit(s.charAt(i + 1), 16);
    if (hi < 0 || lo < 0) {
      return false;
    }
    int b = hi << 4 | lo;
    return b == '.' || b == '/' || b == '\\' || b == 0;
  }

  private static boolean isUnreserved(int b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
        || b == '-' || b == '.' || b == '_' || b == '~';
  }

  private static void appendEscape(StringBuilder sb, int b) {
    sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
  }
}
