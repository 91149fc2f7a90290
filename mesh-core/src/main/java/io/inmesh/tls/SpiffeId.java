package io.inmesh.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A SPIFFE ID ({@code spiffe://trust-domain/path}), validated as the SPIFFE specification requires: lowercase trust
 * domain of letters, digits, {@code . - _}; path segments non-empty, of letters, digits, {@code . - _}, and neither
 * {@code .} nor {@code ..}; no port, user info, query or fragment.
 *
 * @param trustDomain the trust domain, such as {@code cluster.local}
 * @param path the path including its leading slash, or empty
 */
public record SpiffeId(String trustDomain, String path) {
  private static final String SCHEME = "spiffe://";
  private static final int MAX_LENGTH = 2048;

  public SpiffeId {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(path, "path");
    checkTrustDomain(trustDomain);
    checkPath(path);
  }

  /** Parses {@code spiffe://...}; throws {@link IllegalArgumentException} naming what is wrong. */
  public static SpiffeId parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("SPIFFE ID longer than " + MAX_LENGTH + " characters");
    }
    if (!text.startsWith(SCHEME)) {
      throw new IllegalArgumentException(
          "malformed SPIFFE ID '" + text + "': must start with spiffe:// (expected: spiffe://<trust-domain>/<path>)");
    }
    String rest = text.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    try {
      return new SpiffeId(td, path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed SPIFFE ID '" + text + "': " + e.getMessage()
          + " (expected: spiffe://<trust-domain>/<path>)");
    }
  }

  /** The workload identity InMesh and Istio use: {@code spiffe://<td>/ns/<namespace>/sa/<serviceAccount>}. */
  public static SpiffeId ofWorkload(String trustDomain, String namespace, String serviceAccount) {
    return new SpiffeId(trustDomain, "/ns/" + namespace + "/sa/" + serviceAccount);
  }

  /** Parses an Istio principal ({@code cluster.local/ns/default/sa/sleep}) or a full SPIFFE ID. */
  public static SpiffeId fromPrincipal(String principal) {
    return parse(principal.startsWith(SCHEME) ? principal : SCHEME + principal);
  }

  /**
   * The SPIFFE ID of an X.509 SVID: its single URI subject alternative name with the {@code spiffe} scheme. Returns
   * null when the certificate has no such SAN, has more than one (the SPIFFE X.509-SVID rules allow exactly one), or
   * its SAN is malformed; callers treat null as "no identity".
   */
  public static @Nullable SpiffeId fromCertificate(X509Certificate certificate) {
    Collection<List<?>> sans;
    try {
      sans = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return null;
    }
    if (sans == null) {
      return null;
    }
    SpiffeId found = null;
    for (List<?> san : sans) {
      // GeneralName type 6 is uniformResourceIdentifier (RFC 5280).
      if (san.size() >= 2 && Integer.valueOf(6).equals(san.get(0)) && san.get(1) instanceof String uri
          && uri.startsWith(SCHEME)) {
        if (found != null) {
          return null;
        }
        try {
          found = parse(uri);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return found;
  }

  /** The Istio principal form: the ID without {@code spiffe://}. */
  public String principal() {
    return trustDomain + path;
  }

  @Override
  public String toString() {
    return SCHEME + trustDomain + path;
  }

  private static void checkTrustDomain(String td) {
    if (td.isEmpty()) {
      throw new IllegalArgumentException("empty trust domain");
    }
    for (int i = 0; i < td.length(); i++) {
      char c = td.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
      if (!ok) {
        throw new IllegalArgumentException("trust domain '" + td + "' has character '" + c
            + "' (only lowercase letters, digits, '.', '-' and '_' are allowed)");
      }
    }
  }

  private static void checkPath(String path) {
    if (path.isEmpty()) {
      return;
    }
    if (path.charAt(0) != '/') {
      throw new IllegalArgumentException("path must start with '/'");
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("empty path segment");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("dot segment '" + segment + "' in path");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '-' || c == '_';
        if (!ok) {
          throw new IllegalArgumentException("path segment '" + segment + "' has character '" + c + "'");
        }
      }
    }
  }
}
