package io.inmesh.http.seeds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * HTTP/1.1 written by hand, for what HTTP clients will not send (a path with dot segments, which OkHttp normalises)
 * and for connections a mesh server must refuse (plaintext, TLS without a client certificate).
 */
final class RawHttp {
  private RawHttp() {}

  /** A plaintext connection to 127.0.0.1:{@code port}. */
  static Socket plain(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
    s.setSoTimeout(5_000);
    return s;
  }

  /** A TLS connection to 127.0.0.1:{@code port} through {@code context}, handshake not yet started. */
  static SSLSocket tls(SSLContext context, int port) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
    s.setSoTimeout(5_000);
    return s;
  }

  /**
   * A TLS client that presents no certificate and trusts any server: it gets as far as TLS allows without a mesh
   * identity.
   */
  static SSLContext withoutClientCertificate() throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return ctx;
  }

  /**
   * Sends {@code method target} with {@code Host: host} and {@code Connection: close} on {@code socket} and returns
   * everything the server wrote until it closed, or {@code "<failed: exception>"} when the connection failed (a
   * handshake refused, a reset) before the server answered; closes the socket.
   */
  static String exchange(Socket socket, String method, String target, String host) {
    try (socket) {
      OutputStream out = socket.getOutputStream();
      out.write((method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "<failed: " + e + ">";
    }
  }

  /** The status code of a raw response, or -1 when there is no HTTP status line. */
  static int status(String response) {
    if (!response.startsWith("HTTP/1.1 ") || response.length() < 12) {
      return -1;
    }
    return Integer.parseInt(response.substring(9, 12));
  }
}
