/**
 * Embedded Jetty 12 and Tomcat 11 connectors with the mesh's mTLS: the workload's certificate, client certificates
 * verified against the trust bundle, and the inbound mode (STRICT, PERMISSIVE, DISABLE) from PeerAuthentication.
 * Both containers use {@link io.inmesh.tls.MeshTls#sslContext()}, so a certificate rotation applies to the next
 * handshake without a restart. Jetty and Tomcat are optional dependencies: use the class of the container you have.
 */
@NullMarked
package io.inmesh.servlet.server;

import org.jspecify.annotations.NullMarked;
