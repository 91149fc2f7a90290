package io.inmesh.http.internal;

import io.inmesh.Mesh;
import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.resilience.MeshTimeoutException;
import io.inmesh.resilience.Retries;
import io.inmesh.routing.CompiledService;
import io.inmesh.traffic.TrafficFeature;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.AsyncTimeout;
import org.jspecify.annotations.Nullable;

/**
 * The OkHttp application interceptor of {@code MeshOkHttp.wrap}. A request whose host is a mesh service runs through
 * the outbound pipeline; each attempt is a call on an inner client (the user's client without its application
 * interceptors, which already ran, and with {@link MeshDns}) to the endpoint's {@link EndpointNames internal name},
 * with the logical authority in the {@code Host} header. Attempts run on the thread that runs this interceptor
 * ({@link CallerThread}); mirror copies run on an isolated dispatcher so that they never take the caller's threads or
 * the user's dispatcher slots. Any other host goes on through the chain untouched.
 */
public final class MeshInterceptor implements Interceptor {
  private final Mesh mesh;
  private final Clients attempts;
  private final Clients detached;
  private final EndpointNames names;
  private final CallerThread.CancelWatch cancelWatch;

  /**
   * The inner clients of one kind of call: {@code plain} for DISABLE (http) and SIMPLE (the user's TLS), {@code mtls}
   * for ISTIO_MUTUAL (the mesh's identity, the server verified by its SPIFFE ID).
   */
  public record Clients(OkHttpClient plain, OkHttpClient mtls) {
    OkHttpClient forMode(TrafficPolicy.ClientTlsMode mode) {
      return mode == TrafficPolicy.ClientTlsMode.ISTIO_MUTUAL ? mtls : plain;
    }
  }

  /**
   * @param mesh the mesh
   * @param attempts the client each attempt is a call of
   * @param detached the client for copies nobody waits for (mirrors): same settings, its own dispatcher
   * @param names the internal names that {@code attempts}' DNS resolves
   */
  public MeshInterceptor(Mesh mesh, Clients attempts, Clients detached, EndpointNames names) {
    this.mesh = mesh;
    this.attempts = attempts;
    this.detached = detached;
    this.names = names;
    this.cancelWatch = new CallerThread.CancelWatch(mesh.scheduler());
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (!Transports.meshed(mesh, request.url().host())) {
      return chain.proceed(request); // not a mesh service: untouched
    }
    ClientRequest view = ClientRequest.of(request);
    Transport transport = new Transport(request, view);
    // Watched from before the pipeline starts: its first attempt may block this thread inside it.
    Runnable cancelCheck = transport.caller.cancelCheck(() -> chain.call().isCanceled());
    cancelWatch.add(cancelCheck);
    MeshResponse response;
    try {
      response = transport.caller.await(mesh.outbound(view, transport));
    } finally {
      cancelWatch.remove(cancelCheck);
    }
    return toOkHttp(response, request);
  }

  /** The pipeline's response as the OkHttp response the application gets. */
  private static Response toOkHttp(MeshResponse response, Request request) {
    if (response.transportResponse() instanceof Response r) {
      Response.Builder b = r.newBuilder().request(request);
      if (response.status() != r.code()) {
        b.code(response.status());
      }
      if (!(response.headers() instanceof OkHttpMeshHeaders h && h.headers() == r.headers())) {
        b.headers(OkHttpMeshHeaders.toOkHttp(response.headers()));
      }
      return b.build();
    }
    // Synthesized by the mesh (a fault abort, say): a real response with an empty body.
    return new Response.Builder()
        .request(request)
        .protocol(Protocol.HTTP_1_1)
        .code(response.status())
        .message("")
        .headers(OkHttpMeshHeaders.toOkHttp(response.headers()))
        .body(ResponseBody.create(new byte[0], null))
        .build();
  }

  /** The terminal of one call's pipeline: sends each attempt (and mirror copy) it is given. */
  private final class Transport implements MeshService {
    final CallerThread caller = new CallerThread(this::cancelAll);
    private final Request user;
    private final ClientRequest original;
    private final List<Call> calls = new ArrayList<>(1); // guarded by itself

    Transport(Request user, ClientRequest original) {
      this.user = user;
      this.original = original;
    }

    @Override
    public CompletableFuture<MeshResponse> execute(MeshContext ctx, MeshRequest request) {
      boolean mirror = TrafficFeature.isMirrorCopy(ctx);
      if (!mirror && ctx.attribute(Retries.BODY_REPLAYABLE) == null) {
        ctx.attribute(Retries.BODY_REPLAYABLE, replayable(user.body()));
      }
      Call call;
      try {
        TrafficPolicy.ClientTlsMode mode = Transports.tlsMode(ctx);
        call = (mirror ? detached : attempts).forMode(mode).newCall(wireRequest(ctx, request, mirror, mode));
      } catch (IOException | RuntimeException e) {
        return CompletableFuture.failedFuture(e instanceof IOException ? e : new IOException(e.toString(), e));
      }
      CompletableFuture<MeshResponse> result = new CompletableFuture<>();
      if (mirror) {
        cancelOnFailure(result, call);
        call.enqueue(new Completion(result));
        return result;
      }
      if (caller.canceled()) {
        return CompletableFuture.failedFuture(new IOException("Canceled"));
      }
      synchronized (calls) {
        calls.add(call);
      }
      if (caller.canceled()) {
        call.cancel(); // canceled while it was being added: the cancel check may have missed it
      }
      if (caller.mayRunInline()) {
        // On the caller's thread, before the pipeline returns: send now, bounded by the call's own timeout.
        long deadline = ctx.attemptDeadlineNanos();
        long timeout = deadline - System.nanoTime();
        if (deadline != MeshContext.NO_DEADLINE) {
          limitTimeout(call, timeout);
        }
        runOnCaller(call, result, ctx.attempt(), deadline, timeout);
        return result;
      }
      // Whoever ends the attempt first (a per-try timeout, the call's cancel) stops its I/O.
      cancelOnFailure(result, call);
      if (!caller.offer(() -> runOnCaller(call, result, ctx.attempt(), MeshContext.NO_DEADLINE, 0))) {
        call.enqueue(new Completion(result)); // the caller no longer waits (not done by the built-in stages)
      }
      return result;
    }

    /**
     * Runs the attempt's call here and completes {@code result}; {@code deadline} (or {@link MeshContext#NO_DEADLINE})
     * is the attempt deadline the call's timeout enforces, whose expiry fails the attempt as a mesh timeout.
     */
    private void runOnCaller(Call call, CompletableFuture<MeshResponse> result, int attempt, long deadline,
        long timeoutNanos) {
      if (result.isDone()) {
        return; // ended (timed out) before it started
      }
      try {
        Response response = bufferSmallBody(call.execute());
        if (deadline != MeshContext.NO_DEADLINE && call.timeout() instanceof AsyncTimeout t) {
          // The attempt deadline bounds the response's head and a buffered body, as the stage's timer does; a
          // streamed body is the application's to read at its own pace (a buffered one already ended the timeout).
          t.exit();
        }
        if (!result.complete(meshResponse(response))) {
          response.close();
        }
      } catch (IOException | RuntimeException e) {
        result.completeExceptionally(deadline != MeshContext.NO_DEADLINE && e instanceof InterruptedIOException
            && System.nanoTime() - deadline >= 0
            ? new MeshTimeoutException("attempt " + attempt + " timed out after " + timeoutNanos / 1_000_000 + " ms")
            : e);
      } finally {
        synchronized (calls) {
          calls.remove(call);
        }
      }
    }

    private static void cancelOnFailure(CompletableFuture<MeshResponse> result, Call call) {
      result.whenComplete((r, e) -> {
        if (e != null) {
          call.cancel();
        }
      });
    }

    /** Bounds the call by {@code nanos}, or by the client's own call timeout when that is shorter. */
    private static void limitTimeout(Call call, long nanos) {
      long own = call.timeout().timeoutNanos();
      call.timeout().timeout(own > 0 ? Math.min(own, nanos) : Math.max(1, nanos), TimeUnit.NANOSECONDS);
    }

    void cancelAll() {
      synchronized (calls) {
        calls.forEach(Call::cancel);
      }
    }

    /** The wire request of one attempt: the endpoint's internal name in the URL, the logical authority as Host. */
    private Request wireRequest(MeshContext ctx, MeshRequest request, boolean mirror,
        TrafficPolicy.ClientTlsMode mode) throws IOException {
      Endpoint endpoint = Transports.endpoint(ctx);
      CompiledService service = Transports.targetService(ctx);
      if (endpoint == null || service == null) {
        return user; // outside the mesh (ALLOW_ANY): as the caller wrote it
      }
      RequestBody body = attemptBody(mirror);
      // The endpoint's base URL is built (and its host name canonicalised) once, not per request.
      HttpUrl url = names.baseUrl(mode == TrafficPolicy.ClientTlsMode.DISABLE ? "http" : "https", service, endpoint)
          .newBuilder()
          .encodedPath(request.path())
          .encodedQuery(request.query())
          .build();
      Request.Builder b = user.newBuilder().url(url).method(user.method(), body);
      if (request.headers() != original.headers()) { // a stage changed them
        try {
          applyHeaders(b, request.headers(), original.headers());
        } catch (IllegalArgumentException e) {
          // OkHttp's builder refuses a non-ASCII value (from a route's header operations): copy all, unchecked.
          b.headers(OkHttpMeshHeaders.toOkHttp(request.headers()));
        }
      }
      return b.header("Host", request.authority()).build();
    }

    /**
     * Puts the stages' headers on the attempt: when they only set values over the caller's headers (the trace,
     * attempt and deadline headers on every attempt), those values alone; otherwise (a header removed or rewritten
     * by a route's header operations) the whole set.
     */
    private static void applyHeaders(Request.Builder b, MeshHeaders headers, MeshHeaders callers) {
      MeshHeaders base = headers.overlayBase();
      if (base == null) {
        b.headers(OkHttpMeshHeaders.toOkHttp(headers));
      } else {
        if (base != callers) {
          applyHeaders(b, base, callers); // the inner views first: outer ones win
        }
        headers.overlaid().forEach(b::header);
      }
    }

    /**
     * The body each attempt sends: the caller's own (OkHttp writes a regular body again for each attempt). The
     * Resilience issue's buffering for retries plugs in here. A one-shot or duplex body can be sent once only, so a
     * mirror copy of it fails (and is counted) instead of stealing the caller's body.
     */
    private @Nullable RequestBody attemptBody(boolean mirror) throws IOException {
      RequestBody body = user.body();
      if (mirror && body != null && (body.isOneShot() || body.isDuplex())) {
        throw new IOException("not mirrored: the request body can be sent only once");
      }
      return body;
    }
  }

  /**
   * Whether the body can be sent again on a retry: OkHttp writes a regular body anew for each call, so a body of
   * known length up to the 64 KiB buffer limit is replayable; a one-shot, duplex, streaming (unknown length) or
   * larger body is not, and the retry stage then never retries the request.
   */
  static boolean replayable(@Nullable RequestBody body) {
    if (body == null) {
      return true;
    }
    if (body.isOneShot() || body.isDuplex()) {
      return false;
    }
    try {
      long length = body.contentLength();
      return length >= 0 && length <= Retries.MAX_REPLAYABLE_BODY_BYTES;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads a small body (known length up to 64 KiB) into OkHttp's buffer inside the attempt, so that a connection
   * that breaks mid-body fails the attempt, which the retry stage can then retry on another endpoint, instead of
   * failing the application's read after the response was handed over. Larger and unknown-length bodies stream.
   */
  static Response bufferSmallBody(Response response) throws IOException {
    ResponseBody body = response.body();
    long length = body == null ? -1 : body.contentLength();
    if (length > 0 && length <= Retries.MAX_REPLAYABLE_BODY_BYTES) {
      try {
        body.source().require(length);
      } catch (IOException e) {
        response.close();
        throw e;
      }
    }
    return response;
  }

  /** The OkHttp response of an attempt as the pipeline sees it (the body stays unread, for the application). */
  static MeshResponse meshResponse(Response response) {
    return new MeshResponse(response.code(), new OkHttpMeshHeaders(response.headers()), response);
  }

  /** Completes an attempt's future from an enqueued call. */
  private static final class Completion implements Callback {
    private final CompletableFuture<MeshResponse> result;

    Completion(CompletableFuture<MeshResponse> result) {
      this.result = result;
    }

    @Override
    public void onResponse(Call call, Response response) {
      try {
        response = bufferSmallBody(response);
      } catch (IOException e) {
        result.completeExceptionally(e);
        return;
      }
      if (!result.complete(meshResponse(response))) {
        response.close();
      }
    }

    @Override
    public void onFailure(Call call, IOException e) {
      result.completeExceptionally(e);
    }
  }
}
