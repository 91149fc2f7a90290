package io.inmesh.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A raw HTTP/1.1 client: writes the request target byte for byte (HTTP libraries clean paths up and would hide what
 * a hostile client can send) and reads the whole response.
 */
final class RawHttp {
  private RawHttp() {}

  record Response(int status, String head, String body) {}

  /** Sends {@code GET target}; the target's characters are written as ISO-8859-1 bytes, unchanged. */
  static Response get(int port, String target, String... headerLines) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
      for (String h : headerLines) {
        req.append(h).append("\r\n");
      }
      req.append("Connection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      String head = end < 0 ? text : text.substring(0, end);
      String body = end < 0 ? "" : text.substring(end + 4);
      String[] statusLine = head.split(" ", 3);
      return new Response(Integer.parseInt(statusLine[1]), head, body);
    }
  }
}
