package io.inmesh.http.internal;

import io.inmesh.pipeline.MeshResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLSession;

/** Turns the pipeline's response into the {@link HttpResponse} the application gets. */
final class JdkResponses {
  private JdkResponses() {}

  /**
   * The upstream's response when the pipeline kept it as it was; a copy with the pipeline's status and headers when
   * a stage changed them; for a response the mesh synthesized, a response with an empty body made by the
   * application's own body handler (so that its type is right).
   */
  @SuppressWarnings("unchecked")
  static <T> CompletableFuture<HttpResponse<T>> toJdk(
      MeshResponse response, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    HttpHeaders headers = JdkMeshHeaders.toJdk(response.headers());
    if (response.transportResponse() instanceof HttpResponse<?> r) {
      HttpResponse<T> upstream = (HttpResponse<T>) r;
      if (upstream.statusCode() == response.status() && upstream.headers() == headers) {
        return CompletableFuture.completedFuture(upstream);
      }
      return CompletableFuture.completedFuture(new Edited<>(response.status(), headers, upstream.body(), request,
          upstream.uri(), upstream.version(), upstream.sslSession()));
    }
    HttpResponse.ResponseInfo info = new HttpResponse.ResponseInfo() {
      @Override
      public int statusCode() {
        return response.status();
      }

      @Override
      public HttpHeaders headers() {
        return headers;
      }

      @Override
      public HttpClient.Version version() {
        return HttpClient.Version.HTTP_1_1;
      }
    };
    HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
    subscriber.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {}

      @Override
      public void cancel() {}
    });
    subscriber.onComplete();
    return subscriber.getBody().toCompletableFuture().thenApply(body -> new Edited<>(response.status(), headers,
        body, request, request.uri(), HttpClient.Version.HTTP_1_1, Optional.empty()));
  }

  /** A response with the pipeline's status and headers. */
  private record Edited<T>(int statusCode, HttpHeaders headers, T body, HttpRequest request, URI uri,
      HttpClient.Version version, Optional<SSLSession> sslSession) implements HttpResponse<T> {
    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return Optional.empty();
    }
  }
}
