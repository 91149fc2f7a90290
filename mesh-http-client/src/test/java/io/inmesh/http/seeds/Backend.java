package io.inmesh.http.seeds;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * An upstream that is not meshed: a plain embedded Jetty on 127.0.0.1 that records every request it receives and
 * answers as its behaviour says (by default 200 with its label as the body, and the label in {@code x-backend}).
 */
final class Backend implements AutoCloseable {
  /** What the server received: method, path, Host header and the W3C {@code traceparent} header, if any. */
  record Seen(String method, String path, String host, @Nullable String traceparent) {}

  /** How it answers: a status, a body, and a delay before the answer (0: at once). */
  record Answer(int status, String body, long delayMillis) {}

  final String label;
  private final Server server;
  private final Queue<Seen> seen = new ConcurrentLinkedQueue<>();

  private Backend(String label, Function<Seen, Answer> behaviour) throws Exception {
    this.label = label;
    QueuedThreadPool threads = new QueuedThreadPool(32, 4);
    threads.setName("backend-" + label);
    server = new Server(threads);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setStopTimeout(0); // no graceful drain: idle keep-alive connections would hold it
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        Seen s = new Seen(request.getMethod(), request.getHttpURI().getPath(),
            String.valueOf(request.getHeaders().get(HttpHeader.HOST)), request.getHeaders().get("traceparent"));
        seen.add(s);
        Answer a = behaviour.apply(s);
        Runnable answer = () -> {
          response.setStatus(a.status());
          response.getHeaders().put("x-backend", label);
          Content.Sink.write(response, true, a.body(), callback);
        };
        if (a.delayMillis() > 0) {
          // A slow server, not a synchronisation: the answer is scheduled, no thread waits for it.
          server.getScheduler().schedule(answer, a.delayMillis(), TimeUnit.MILLISECONDS);
        } else {
          answer.run();
        }
        return true;
      }
    });
    server.start();
  }

  /** A started backend that answers every request with 200 and {@code label}. */
  static Backend start(String label) throws Exception {
    return new Backend(label, s -> new Answer(200, label, 0));
  }

  /** A started backend that answers as {@code behaviour} says. */
  static Backend start(String label, Function<Seen, Answer> behaviour) throws Exception {
    return new Backend(label, behaviour);
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** Every request received so far, in arrival order. */
  List<Seen> seen() {
    return List.copyOf(seen);
  }

  int count() {
    return seen.size();
  }

  long count(Predicate<Seen> which) {
    return seen.stream().filter(which).count();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
