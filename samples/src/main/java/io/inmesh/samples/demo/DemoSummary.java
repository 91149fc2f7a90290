package io.inmesh.samples.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code mesh demo --json} prints: one object, in this field order.
 *
 * @param durationSeconds how long the load ran
 * @param requests requests the load generator sent to {@code frontend} (all completed)
 * @param succeeded of those, answered 200 (through {@code frontend}, {@code api-service} and {@code payments})
 * @param v1 ordinary (not canary) requests {@code api-service} v1 served
 * @param v2 ordinary requests {@code api-service} v2 served
 * @param retries retries sent by every mesh together
 * @param ejections outlier ejections, every mesh together
 * @param untrusted impostor connections the servers refused in the TLS handshake
 * @param forbidden intruder requests denied with 403 by an authorization policy
 * @param mtlsShare of the requests the demo's servers received, the share that came over mutual TLS
 * @param ports every listening port of the demo, by instance
 */
record DemoSummary(long durationSeconds, long requests, long succeeded, long v1, long v2, long retries,
    long ejections, long untrusted, long forbidden, double mtlsShare, Map<String, Integer> ports) {

  private static final ObjectMapper JSON = new ObjectMapper();

  DemoSummary {
    ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports)); // keeps the order: servers, then admins
  }

  double successRate() {
    return requests == 0 ? 0 : (double) succeeded / requests;
  }

  /** The share of ordinary traffic each subset served (0 for both when there was none). */
  double share(long subset) {
    long total = v1 + v2;
    return total == 0 ? 0 : (double) subset / total;
  }

  /** The summary as one line of JSON. */
  String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("durationSeconds", durationSeconds);
    m.put("requests", requests);
    m.put("succeeded", succeeded);
    m.put("successRate", round(successRate()));
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("v1", round(share(v1)));
    split.put("v2", round(share(v2)));
    m.put("split", Map.of("api-service", split));
    m.put("retries", retries);
    m.put("ejections", ejections);
    Map<String, Object> denied = new LinkedHashMap<>();
    denied.put("untrusted", untrusted);
    denied.put("forbidden", forbidden);
    m.put("denied", denied);
    m.put("mtlsShare", round(mtlsShare));
    m.put("ports", ports);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // maps of numbers and strings always serialise
    }
  }

  /** Four decimals: enough for a share, short enough to read. */
  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
