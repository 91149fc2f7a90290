package io.inmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --admin URL} option and a small client for a mesh's admin endpoint (mixed into the commands). */
final class AdminClient {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String DEFAULT_URL = "http://127.0.0.1:9901";

  @Option(names = "--admin", paramLabel = "URL", defaultValue = DEFAULT_URL,
      description = "The mesh admin endpoint (default: ${DEFAULT-VALUE}).")
  String url = DEFAULT_URL;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  URI uri(String path) {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return URI.create(base + path);
  }

  /** GETs {@code path} as text; an exception with a one-line reason when the admin is unreachable or fails. */
  String get(String path) throws IOException {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException(uri(path) + " answered " + r.statusCode() + ": " + r.body().strip());
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      throw e.getMessage() != null && e.getMessage().contains(" answered ") ? e
          : new IOException("cannot reach the mesh admin at " + url + " (" + e + ")", e);
    }
  }

  /** Prints page {@code path} as its JSON ({@code --json}) or as the table {@code table} makes of it. */
  int show(CommandSpec spec, String path, boolean raw, Function<JsonNode, Table> table, String whenEmpty) {
    PrintWriter out = spec.commandLine().getOut();
    try {
      String body = get(path);
      if (raw) {
        out.println(body.strip());
      } else {
        Table t = table.apply(JSON.readTree(body));
        if (t.size() == 0) {
          out.println(whenEmpty);
        } else {
          t.print(out);
        }
      }
      out.flush();
      return ExitCodes.OK;
    } catch (IOException e) {
      return Errors.print(spec, e);
    }
  }

  JsonNode json(String path) throws IOException {
    return JSON.readTree(get(path));
  }

  /** Opens a streaming GET (the tap). */
  InputStream stream(String path) throws IOException {
    try {
      HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri(path)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        String body = new String(r.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        throw new IOException(uri(path) + " answered " + r.statusCode() + ": " + body.strip());
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
