package dev.bulwark.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The NDJSON and SSE streams, read by strict parsers of the tests' own. */
class StreamsTest {

  private static final Duration BOUND = Duration.ofSeconds(20);
  private static TestService server;

  @BeforeAll
  static void start() throws Exception {
    server = TestService.start(c -> c);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<InputStream> open(String path) throws Exception {
    return open(Http.request(server.uri(path)).GET().build());
  }

  private static HttpResponse<InputStream> open(HttpRequest request) throws Exception {
    HttpResponse<InputStream> r = Http.open(request);
    assertThat(r.statusCode()).isEqualTo(200);
    return r;
  }

  @Test
  void ndjsonStreamSendsWholeTickLinesInOrder() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          HttpResponse<InputStream> r = open("/quotes/stream?symbols=ACME,GLOBX");
          assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
          try (InputStream body = r.body()) {
            StrictNdjson lines = new StrictNdjson(body);
            for (long seq = 1; seq <= 5; seq++) {
              JsonNode tick = lines.next().orElseThrow();
              assertThat(tick.get("type").asText()).isEqualTo("tick");
              assertThat(tick.get("seq").asLong()).isEqualTo(seq);
              String symbol = tick.get("symbol").asText();
              assertThat(symbol).isIn("ACME", "GLOBX");
              assertThat(tick.get("price").asDouble()).isEqualTo(Prices.price(symbol, seq));
            }
          }
        });
  }

  @Test
  void sseStreamResumesAfterTheLastEventIdTheClientSends() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          HttpResponse<InputStream> r =
              open(
                  Http.request(server.uri("/events?symbols=ACME"))
                      .header("Last-Event-ID", "41")
                      .GET()
                      .build());
          assertThat(r.headers().firstValue("Content-Type").orElseThrow())
              .startsWith("text/event-stream");
          try (InputStream body = r.body()) {
            StrictSse events = new StrictSse(body);
            for (long seq = 42; seq <= 44; seq++) {
              StrictSse.Event e = events.next().orElseThrow();
              assertThat(e.event()).isEqualTo("tick");
              assertThat(e.id()).isEqualTo(Long.toString(seq));
              assertThat(Http.JSON.readTree(e.data()).get("seq").asLong()).isEqualTo(seq);
            }
          }
        });
  }

  @Test
  void streamsResumeAfterUpstreamFailuresWithoutLosingOrRepeatingATick() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(40),
        () -> {
          long opened = server.upstreamCounters().tickStreamsOpened();
          setUpstreamFailureRate(0.15);
          try {
            HttpResponse<InputStream> r = open("/quotes/stream?symbols=ACME");
            try (InputStream body = r.body()) {
              StrictNdjson lines = new StrictNdjson(body);
              for (long seq = 1; seq <= 40; seq++) {
                assertThat(lines.next().orElseThrow().get("seq").asLong()).isEqualTo(seq);
              }
            }
          } finally {
            setUpstreamFailureRate(0);
          }
          assertThat(server.upstreamCounters().tickStreamsOpened() - opened)
              .as("the upstream stream was re-opened after it broke off")
              .isGreaterThan(1);
        });
  }

  @Test
  void aClientThatLeavesStopsTheUpstreamWork() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          HttpResponse<InputStream> r = open("/quotes/stream?symbols=ACME");
          try (InputStream body = r.body()) {
            StrictNdjson lines = new StrictNdjson(body);
            for (int i = 0; i < 3; i++) {
              lines.next().orElseThrow();
            }
            assertThat(server.upstreamCounters().tickStreamsActive()).isPositive();
          } // closing the body before its end drops the connection
          Poll.until(
              Duration.ofSeconds(3),
              "the upstream tick stream has ended",
              () -> server.upstreamCounters().tickStreamsActive() == 0);
          Poll.until(
              Duration.ofSeconds(3),
              "the service's stream has ended",
              () -> ((Number) server.service.streamStats().get("open")).intValue() == 0);
        });
  }

  @Test
  void tokenStreamEndsWithDoneAfterTheLastToken() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          HttpResponse<InputStream> r = open("/stream/tokens?prompt=resilience&max=5");
          try (InputStream body = r.body()) {
            StrictSse events = new StrictSse(body);
            StringBuilder answer = new StringBuilder();
            for (int i = 0; i < 5; i++) {
              StrictSse.Event e = events.next().orElseThrow();
              assertThat(e.event()).isEqualTo("token");
              JsonNode token = Http.JSON.readTree(e.data());
              assertThat(token.get("i").asInt()).isEqualTo(i);
              answer.append(token.get("text").asText());
            }
            assertThat(answer.toString()).startsWith("Thanks for asking about \"resilience\"");
            StrictSse.Event done = events.next().orElseThrow();
            assertThat(done.event()).isEqualTo("done");
            assertThat(events.next()).isEmpty(); // a clean end, right after the last event
          }
        });
  }

  @Test
  void tokenGenerationStopsWhenTheClientLeaves() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          HttpResponse<InputStream> r = open("/stream/tokens?prompt=long&max=1000");
          try (InputStream body = r.body()) {
            StrictSse events = new StrictSse(body);
            for (int i = 0; i < 3; i++) {
              assertThat(events.next().orElseThrow().event()).isEqualTo("token");
            }
          }
          Poll.until(
              Duration.ofSeconds(3),
              "the token generator has stopped",
              () ->
                  ((Number) server.service.streamStats().get("tokenGeneratorsRunning")).intValue()
                      == 0);
          long generated =
              ((Number) server.service.streamStats().get("tokensGenerated")).longValue();
          assertThat(generated).isLessThan(100);
        });
  }

  @Test
  void statusEventsCarryTheBreakerState() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          HttpResponse<InputStream> r = open("/status/events");
          try (InputStream body = r.body()) {
            StrictSse events = new StrictSse(body);
            StrictSse.Event e = events.next().orElseThrow();
            assertThat(e.event()).isEqualTo("status");
            assertThat(Http.JSON.readTree(e.data()).at("/breaker/state").asText())
                .isEqualTo("CLOSED");
            // snapshots come every 500 ms, and a heartbeat is due after 300 ms of quiet
            assertThat(events.next().orElseThrow().event()).isEqualTo("status");
            assertThat(events.comments).as("heartbeat comments between snapshots").isPositive();
          }
        });
  }

  @Test
  void badStreamRequestsAreRefusedWith400() {
    assertThat(Http.get(server.uri("/quotes/stream?symbols=acme")).statusCode()).isEqualTo(400);
    HttpResponse<String> badId =
        Http.send(Http.request(server.uri("/events")).header("Last-Event-ID", "x").GET().build());
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(Http.get(server.uri("/stream/tokens")).statusCode()).isEqualTo(400);
  }

  @Test
  void openStreamsEndWithALastWholeLineOrEventAtShutdown() throws Exception {
    TestService own = TestService.start(c -> c);
    try {
      assertTimeoutPreemptively(
          BOUND,
          () -> {
            HttpResponse<InputStream> nd =
                Http.open(Http.request(own.uri("/quotes/stream")).GET().build());
            HttpResponse<InputStream> sse =
                Http.open(Http.request(own.uri("/events")).GET().build());
            StrictNdjson lines = new StrictNdjson(nd.body());
            StrictSse events = new StrictSse(sse.body());
            lines.next().orElseThrow();
            events.next().orElseThrow();
            Thread stopper = Thread.ofVirtual().start(own.service::stop);
            List<JsonNode> rest = new ArrayList<>();
            for (Optional<JsonNode> l = lines.next(); l.isPresent(); l = lines.next()) {
              rest.add(l.get());
            }
            assertThat(rest.getLast().get("type").asText()).isEqualTo("end");
            assertThat(rest.getLast().get("reason").asText()).isEqualTo("shutdown");
            StrictSse.Event last = null;
            for (Optional<StrictSse.Event> e = events.next(); e.isPresent(); e = events.next()) {
              last = e.get();
            }
            assertThat(last).isNotNull();
            assertThat(last.event()).isEqualTo("end");
            assertThat(Http.JSON.readTree(last.data()).get("reason").asText())
                .isEqualTo("shutdown");
            stopper.join();
          });
    } finally {
      own.close();
    }
  }

  private static void setUpstreamFailureRate(double rate) {
    HttpResponse<String> r =
        Http.send(
            Http.request(server.uri("/admin/upstream"))
                .header("X-Admin-Token", TestService.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Http.JSON.valueToTree(Map.of("failureRate", rate)).toString()))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }
}
