package io.inmesh.http.seeds;

import io.inmesh.Mesh;
import io.inmesh.http.MeshOkHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Calls through a meshed OkHttp client, one at a time or many from several threads. */
final class Calls {
  /** What the caller got. */
  record Reply(int status, String body, Headers headers) {}

  private Calls() {}

  /** A meshed OkHttp client whose pool keeps enough idle connections for {@link #tally}'s callers. */
  static OkHttpClient client(Mesh mesh) {
    return MeshOkHttp.wrap(mesh, new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(32, 1, TimeUnit.MINUTES)).build());
  }

  /** {@code method} (GET, or a method with a small JSON body) of {@code url}, with header name/value pairs. */
  static Reply call(OkHttpClient client, String method, String url, String... headers) throws IOException {
    Request.Builder b = new Request.Builder().url(url)
        .method(method, method.equals("GET") ? null : RequestBody.create("{}", MediaType.get("application/json")));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try (Response r = client.newCall(b.build()).execute()) {
      return new Reply(r.code(), r.body().string(), r.headers());
    }
  }

  static Reply get(OkHttpClient client, String url, String... headers) throws IOException {
    return call(client, "GET", url, headers);
  }

  /**
   * Runs {@code n} calls on {@code threads} callers and counts the answers {@code call} gives (given the call's
   * index); a call that throws fails the run.
   */
  static Map<String, Integer> tally(int n, int threads, IntFunction<String> call) throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Map<String, Integer>>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        parts.add(callers.submit(() -> {
          Map<String, Integer> counts = new TreeMap<>();
          for (int i = first; i < n; i += threads) {
            counts.merge(call.apply(i), 1, Integer::sum);
          }
          return counts;
        }));
      }
      Map<String, Integer> total = new TreeMap<>();
      for (Future<Map<String, Integer>> part : parts) {
        part.get(60, TimeUnit.SECONDS).forEach((k, v) -> total.merge(k, v, Integer::sum));
      }
      return total;
    } finally {
      callers.shutdownNow();
    }
  }

  /** {@link #get} for lambdas: an I/O failure fails the run. */
  static Reply getUnchecked(OkHttpClient client, String url, String... headers) {
    try {
      return get(client, url, headers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
