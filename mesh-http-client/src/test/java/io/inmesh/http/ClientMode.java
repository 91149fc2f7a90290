package io.inmesh.http;

import io.inmesh.Mesh;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** The four ways an application calls through the mesh; the behavioural suites run against each. */
enum ClientMode {
  OKHTTP_EXECUTE,
  OKHTTP_ENQUEUE,
  JDK_SEND,
  JDK_SEND_ASYNC;

  /** What a request got back. */
  record Reply(int status, String body, Map<String, List<String>> headers, long nanos) {
    String header(String name) {
      List<String> v = headers.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }
  }

  /** A meshed client of this mode. */
  interface Client extends AutoCloseable {
    /** GETs {@code url}; completes with the reply or the (unwrapped) IOException. */
    CompletableFuture<Reply> get(String url, Map<String, String> headers);

    @Override
    void close();
  }

  boolean isJdk() {
    return this == JDK_SEND || this == JDK_SEND_ASYNC;
  }

  Client open(Mesh mesh) {
    return isJdk() ? jdk(mesh) : okHttp(mesh);
  }

  private Client okHttp(Mesh mesh) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequestsPerHost(32);
    OkHttpClient user = new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(64, 1, TimeUnit.MINUTES))
        .readTimeout(Duration.ofSeconds(10))
        .build();
    OkHttpClient client = MeshOkHttp.wrap(mesh, user);
    boolean async = this == OKHTTP_ENQUEUE;
    return new Client() {
      @Override
      public CompletableFuture<Reply> get(String url, Map<String, String> headers) {
        Request.Builder b = new Request.Builder().url(url);
        headers.forEach(b::header);
        Call call = client.newCall(b.build());
        long start = System.nanoTime();
        if (!async) {
          try (Response r = call.execute()) {
            return CompletableFuture.completedFuture(reply(r, start));
          } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
          }
        }
        CompletableFuture<Reply> result = new CompletableFuture<>();
        call.enqueue(new Callback() {
          @Override
          public void onResponse(Call c, Response r) {
            try (r) {
              result.complete(reply(r, start));
            } catch (IOException e) {
              result.completeExceptionally(e);
            }
          }

          @Override
          public void onFailure(Call c, IOException e) {
            result.completeExceptionally(e);
          }
        });
        return result;
      }

      @Override
      public void close() {
        user.dispatcher().executorService().shutdown();
        user.connectionPool().evictAll();
      }
    };
  }

  private static Reply reply(Response r, long start) throws IOException {
    String body = r.body().string();
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(r.headers().toMultimap());
    return new Reply(r.code(), body, headers, System.nanoTime() - start);
  }

  private Client jdk(Mesh mesh) {
    HttpClient user = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpClient client = MeshHttpClient.wrap(mesh, user);
    boolean async = this == JDK_SEND_ASYNC;
    return new Client() {
      @Override
      public CompletableFuture<Reply> get(String url, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        HttpRequest request = b.build();
        long start = System.nanoTime();
        if (!async) {
          try {
            return CompletableFuture.completedFuture(reply(client.send(request, HttpResponse.BodyHandlers.ofString()),
                start));
          } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
          }
        }
        CompletableFuture<Reply> result = new CompletableFuture<>();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
          if (e != null) {
            result.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
          } else {
            result.complete(reply(r, start));
          }
        });
        return result;
      }

      @Override
      public void close() {}
    };
  }

  private static Reply reply(HttpResponse<String> r, long start) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(r.headers().map());
    return new Reply(r.statusCode(), r.body(), headers, System.nanoTime() - start);
  }
}
