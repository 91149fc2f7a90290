package io.inmesh.tls.internal;

import io.inmesh.tls.WorkloadCertificate;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * Presents the current workload certificate, as client and as server. The alias names one installed certificate, so
 * the chain and the key a handshake asks for by alias always belong together, even across a rotation.
 */
public final class IdentityKeyManager extends X509ExtendedKeyManager {
  private final CurrentIdentity identity;

  public IdentityKeyManager(CurrentIdentity identity) {
    this.identity = identity;
  }

  private @Nullable String alias(@Nullable String keyType) {
    CurrentIdentity.Entry e = identity.state().current();
    if (e == null || keyType == null) {
      return null;
    }
    String alg = e.certificate().leaf().getPublicKey().getAlgorithm();
    // TLS 1.2 may ask for "EC_EC" or "EC_RSA" (key type _ signature type of the issuer); TLS 1.3 asks for "EC".
    return keyType.equals(alg) || keyType.startsWith(alg + "_") ? e.alias() : null;
  }

  private @Nullable String alias(String @Nullable [] keyTypes) {
    if (keyTypes != null) {
      for (String t : keyTypes) {
        String a = alias(t);
        if (a != null) {
          return a;
        }
      }
    }
    return null;
  }

  @Override
  public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
    String a = alias(keyType);
    return a == null ? null : new String[] {a};
  }

  @Override
  public @Nullable String chooseClientAlias(String[] keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return alias(keyType);
  }

  @Override
  public @Nullable String chooseEngineClientAlias(String[] keyType, Principal @Nullable [] issuers,
      @Nullable SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
    return getClientAliases(keyType, issuers);
  }

  @Override
  public @Nullable String chooseServerAlias(String keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return alias(keyType);
  }

  @Override
  public @Nullable String chooseEngineServerAlias(String keyType, Principal @Nullable [] issuers,
      @Nullable SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(String alias) {
    WorkloadCertificate c = identity.byAlias(alias);
    return c == null ? null : c.chain().toArray(new X509Certificate[0]);
  }

  @Override
  public @Nullable PrivateKey getPrivateKey(String alias) {
    WorkloadCertificate c = identity.byAlias(alias);
    return c == null ? null : c.privateKey();
  }
}
