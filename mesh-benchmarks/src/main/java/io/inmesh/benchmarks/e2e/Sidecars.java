package io.inmesh.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * nginx configurations for the {@code sidecar} variant, the shape of an Envoy or linkerd2-proxy pair: the client's
 * outbound proxy takes plaintext HTTP/1.1 on loopback and forwards it over mTLS (TLS 1.3, the dev CA's certificates)
 * to the server's inbound proxy, which requires a client certificate and forwards plaintext to the application. Both
 * hops keep connections alive (upstream {@code keepalive} pools, no per-connection request cap to speak of); one
 * worker process each, no access log, as a sidecar is usually sized.
 *
 * <p>nginx cannot match a SPIFFE URI SAN, so the outbound proxy does not verify the inbound proxy's certificate
 * ({@code proxy_ssl_verify off}); the inbound proxy does verify the client's chain. Verification runs once per
 * connection, so this makes no difference to steady-state figures; it favours the sidecar if anything.
 */
final class Sidecars {
  private Sidecars() {}

  /** The outbound (client-side) proxy: plaintext on {@code listenPort}, mTLS to {@code peerPort}. */
  static Path outbound(Path dir, int listenPort, int peerPort, String clientPem) throws IOException {
    return write(dir, upstream("peer", peerPort) + """
        server {
          listen 127.0.0.1:%d;
          location / {
            proxy_pass https://peer;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_ssl_protocols TLSv1.3;
            proxy_ssl_certificate %s-chain.pem;
            proxy_ssl_certificate_key %s-key.pem;
            proxy_ssl_trusted_certificate %s-bundle.pem;
            proxy_ssl_verify off;
            proxy_ssl_session_reuse on;
          }
        }
        """.formatted(listenPort, clientPem, clientPem, clientPem));
  }

  /** The inbound (server-side) proxy: mTLS on {@code listenPort} (client certificate required), plaintext to the app. */
  static Path inbound(Path dir, int listenPort, int appPort, String serverPem) throws IOException {
    return write(dir, upstream("app", appPort) + """
        server {
          listen 127.0.0.1:%d ssl;
          ssl_protocols TLSv1.3;
          ssl_certificate %s-chain.pem;
          ssl_certificate_key %s-key.pem;
          ssl_client_certificate %s-bundle.pem;
          ssl_verify_client on;
          ssl_verify_depth 2;
          location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
          }
        }
        """.formatted(listenPort, serverPem, serverPem, serverPem));
  }

  /** A keep-alive pool to {@code port}: connections are reused, practically never closed for their age or count. */
  private static String upstream(String name, int port) {
    return """
        upstream %s {
          server 127.0.0.1:%d;
          keepalive 64;
          keepalive_requests 10000000;
          keepalive_timeout 300s;
        }
        """.formatted(name, port);
  }

  private static Path write(Path dir, String server) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    // As root the workers would run as nobody and could not use the private temp directory.
    String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, user + """
        worker_processes 1;
        daemon off;
        master_process on;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          keepalive_requests 10000000;
          keepalive_timeout 300s;
        %2$s}
        """.formatted(dir, server.indent(2)));
    return conf;
  }
}
