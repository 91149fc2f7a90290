package io.inmesh.authz;

/**
 * The SPI behind CUSTOM policies (Istio's {@code ext_authz} providers): an authorizer named as a policy's
 * {@code provider.name}. Register one on the mesh's inbound feature
 * ({@code mesh.feature(InboundSecurity.class).addAuthorizer(...)}) or through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.inmesh.authz.ExternalAuthorizer}).
 *
 * <p>As in Istio, it is called only for requests that one of its CUSTOM policy's rules match, before DENY and ALLOW
 * policies; it runs on the request's thread, so it should answer quickly (cache, or keep its own timeout). A
 * provider that is not registered, or that throws, denies the request.
 */
public interface ExternalAuthorizer {

  /** The provider name CUSTOM policies refer to. */
  String name();

  /** True to let the request go on to DENY and ALLOW policies; false to deny it. */
  boolean allows(AuthorizationRequest request) throws Exception;
}
