package io.inmesh.tls;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What an HTTP client needs to call mesh services over mTLS, from {@link MeshTls#client}: the context presents the
 * workload's current certificate and its trust manager verifies, inside the handshake, that the server presents the
 * SPIFFE ID expected for the host being dialled (before a byte of the request is sent). The hostname verifier repeats
 * that check after the handshake for clients that cache sessions across hosts. All three follow rotations.
 *
 * <pre>{@code
 * MeshClientTls tls = mesh.feature(MeshTls.class).client(host -> identityOf(host));
 * OkHttpClient ok = client.newBuilder()
 *     .sslSocketFactory(tls.sslContext().getSocketFactory(), tls.trustManager())
 *     .hostnameVerifier(tls.hostnameVerifier()).build();
 * HttpClient jdk = HttpClient.newBuilder().sslContext(tls.sslContext()).sslParameters(meshTls.sslParameters()).build();
 * }</pre>
 *
 * @param sslContext the context for the client's sockets or engines
 * @param trustManager its trust manager (OkHttp asks for it separately)
 * @param hostnameVerifier compares the session's peer SPIFFE ID with the expected one; never checks DNS names
 */
public record MeshClientTls(SSLContext sslContext, X509ExtendedTrustManager trustManager,
    HostnameVerifier hostnameVerifier) {}
