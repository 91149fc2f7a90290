package io.inmesh.samples.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The demo's applications: ordinary servlets that call other services by name ({@code http://api-service/...})
 * through a meshed OkHttp client. They know nothing of mTLS, subsets, retries or policies: the mesh does all that.
 * Each answer names who served it ({@code x-served-by}, {@code x-api-version}), so the load generator can measure the
 * split the mesh actually produced.
 */
final class DemoServlets {
  static final String SERVED_BY = "x-served-by";
  static final String API_VERSION = "x-api-version";
  static final String CANARY = "x-canary";
  private static final MediaType JSON = MediaType.get("application/json");

  private DemoServlets() {}

  /** {@code frontend}: every page calls {@code api-service}, passing on {@code x-canary}. */
  static HttpServlet frontend(OkHttpClient mesh) {
    return new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long user = ThreadLocalRandom.current().nextLong(1, 1000);
        Request.Builder call = new Request.Builder().url("http://api-service/api/users/" + user);
        String canary = req.getHeader(CANARY);
        if (canary != null) {
          call.header(CANARY, canary);
        }
        try (Response api = mesh.newCall(call.build()).execute()) {
          copy(api, resp, API_VERSION);
          copy(api, resp, SERVED_BY);
          resp.setStatus(api.code());
          resp.setContentType("text/plain");
          resp.getWriter().println("frontend <- " + api.body().string().strip());
        } catch (IOException e) {
          resp.sendError(HttpServletResponse.SC_BAD_GATEWAY, "api-service: " + e);
        }
      }
    };
  }

  /** {@code api-service}: reads a balance from {@code payments}, and every tenth request charges. */
  static HttpServlet api(OkHttpClient mesh, String instance, String version) {
    AtomicLong sequence = new AtomicLong();
    return new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String user = req.getPathInfo() == null ? "/0" : req.getPathInfo().replaceFirst("^/api/users", "");
        Request payment = sequence.incrementAndGet() % 10 == 0
            ? new Request.Builder().url("http://payments/charge" + user)
                .post(RequestBody.create("{\"cents\":100}", JSON)).build()
            : new Request.Builder().url("http://payments/balance" + user).build();
        resp.setHeader(SERVED_BY, instance);
        resp.setHeader(API_VERSION, version);
        try (Response p = mesh.newCall(payment).execute()) {
          String body = p.body().string().strip();
          resp.setStatus(p.isSuccessful() ? 200 : HttpServletResponse.SC_BAD_GATEWAY);
          resp.setContentType("text/plain");
          resp.getWriter().println(instance + " (" + version + ") <- " + body);
        } catch (IOException e) {
          resp.sendError(HttpServletResponse.SC_BAD_GATEWAY, "payments: " + e);
        }
      }
    };
  }

  /** {@code payments}: answers every path; a flaky instance fails {@code failureRate} of its requests with 503. */
  static HttpServlet payments(String instance, double failureRate) {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader(SERVED_BY, instance);
        if (failureRate > 0 && ThreadLocalRandom.current().nextDouble() < failureRate) {
          resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, instance + " is having a bad day");
          return;
        }
        resp.setContentType("text/plain");
        resp.getWriter().println(instance + " " + req.getMethod() + " " + req.getRequestURI() + " ok");
      }
    };
  }

  private static void copy(Response from, HttpServletResponse to, String header) {
    @Nullable String value = from.header(header);
    if (value != null) {
      to.setHeader(header, value);
    }
  }
}
