package io.inmesh.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoSummaryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static DemoSummary summary() {
    return new DemoSummary(30, 12345, 12340, 10000, 1111, 321, 1, 50, 49, 1.0, DemoPorts.of(null).all());
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void printsTheIssuesShapeOnOneLineInTheIssuesOrder() throws Exception {
    String json = summary().toJson();

    assertThat(json).doesNotContain("\n");
    JsonNode n = JSON.readTree(json);
    assertThat(names(n)).containsExactly("durationSeconds", "requests", "succeeded", "successRate", "split",
        "retries", "ejections", "denied", "mtlsShare", "ports");
    assertThat(names(n.get("split"))).containsExactly("api-service");
    assertThat(names(n.get("split").get("api-service"))).containsExactly("v1", "v2");
    assertThat(names(n.get("denied"))).containsExactly("untrusted", "forbidden");
    assertThat(n.get("durationSeconds").isIntegralNumber()).isTrue();
    assertThat(n.get("successRate").isDouble()).isTrue();
    assertThat(n.get("mtlsShare").asDouble()).isEqualTo(1.0);
  }

  @Test
  void roundsRatesToFourDecimalsAndSplitsOrdinaryTrafficBySubset() throws Exception {
    JsonNode n = JSON.readTree(summary().toJson());

    assertThat(n.get("successRate").asDouble()).isEqualTo(0.9996);
    assertThat(n.get("split").get("api-service").get("v1").asDouble()).isEqualTo(0.9);
    assertThat(n.get("split").get("api-service").get("v2").asDouble()).isEqualTo(0.1);
    assertThat(n.get("denied").get("untrusted").asLong()).isEqualTo(50);
    assertThat(n.get("denied").get("forbidden").asLong()).isEqualTo(49);
    assertThat(n.get("retries").asLong()).isEqualTo(321);
  }

  @Test
  void listsEveryPortByInstanceServersFirst() throws Exception {
    JsonNode ports = JSON.readTree(summary().toJson()).get("ports");

    assertThat(names(ports)).startsWith("frontend", "api-service-v1-a", "api-service-v1-b", "api-service-v2",
        "payments-a", "payments-b", "admin-frontend").hasSize(14);
    assertThat(ports.get("frontend").asInt()).isEqualTo(8080);
    assertThat(ports.get("admin-frontend").asInt()).isEqualTo(9901);
  }

  @Test
  void anEmptyRunHasZeroRatesRatherThanNaN() throws Exception {
    JsonNode n = JSON.readTree(new DemoSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of()).toJson());

    assertThat(n.get("successRate").asDouble()).isZero();
    assertThat(n.get("split").get("api-service").get("v2").asDouble()).isZero();
  }
}
