package dev.bulwark.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a client sees while the upstream fails: 502, then the breaker's 503, a fallback, healing.
 */
class UpstreamFailureTest {

  private TestService server;

  @BeforeEach
  void start() throws Exception {
    server = TestService.start(c -> c);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anOutageGives502ThenTheOpenBreakers503ThenAFallbackAndHealsAfterwards() {
    // a good quote first, so that ACME has a last known price
    assertThat(Http.json(Http.get(server.uri("/quotes/ACME"))).get("served").asText())
        .isEqualTo("fresh");
    faults("{\"failureRate\":1.0,\"retryAfterSeconds\":3}");

    HttpResponse<String> failed = Http.get(server.uri("/quotes/NEWCO"));
    assertThat(failed.statusCode()).as(failed.body()).isEqualTo(502);
    assertThat(failed.headers().firstValue("Retry-After")).hasValue("3");
    assertThat(Http.json(failed).get("error").asText()).contains("upstream answered 503");

    HttpResponse<String> refused =
        Poll.until(
            Duration.ofSeconds(10),
            "the breaker refuses with 503",
            () -> Http.get(server.uri("/quotes/NEWCO")),
            r -> r.statusCode() == 503);
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 2L); // the breaker opens for 2 s in tests
    assertThat(Http.json(refused).get("error").asText()).contains("circuit 'quotes' is OPEN");
    // /metrics shows the breaker that tripped: the one inside the http client, named "quotes"
    String metrics = Http.get(server.uri("/metrics")).body();
    assertThat(
            series(
                metrics, "bulwark_circuitbreaker_calls_total{name=\"quotes\",outcome=\"failure\"}"))
        .isGreaterThanOrEqualTo(3.0);
    assertThat(
            series(
                metrics, "bulwark_circuitbreaker_calls_total{name=\"quotes\",outcome=\"refused\"}"))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(
            series(
                metrics,
                "bulwark_retry_calls_total{name=\"quotes\",outcome=\"failure_with_retry\"}"))
        .isGreaterThanOrEqualTo(1.0);

    JsonNode fallback = Http.json(Http.get(server.uri("/quotes/ACME")));
    assertThat(fallback.get("served").asText()).isEqualTo("fallback");
    assertThat(fallback.get("price").asDouble()).isEqualTo(Prices.price("ACME", 0));

    faults("{\"failureRate\":0.0,\"retryAfterSeconds\":0}");
    Poll.until(
        Duration.ofSeconds(15),
        "the breaker lets calls through again",
        () -> Http.get(server.uri("/quotes/NEWCO")).statusCode() == 200);
    Poll.until(
        Duration.ofSeconds(15),
        "the breaker is CLOSED",
        () -> {
          Http.get(server.uri("/quotes/NEWCO"));
          return Http.json(Http.get(server.uri("/status")))
              .at("/breaker/state")
              .asText()
              .equals("CLOSED");
        });
  }

  /** The value of one series of a Prometheus scrape; fails when the series is not there. */
  static double series(String scrape, String series) {
    return scrape
        .lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no series " + series + " in\n" + scrape));
  }

  private void faults(String json) {
    HttpResponse<String> r =
        Http.send(
            Http.request(server.uri("/admin/upstream"))
                .header("X-Admin-Token", TestService.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }
}
