package dev.bulwark.http;

import static dev.bulwark.http.ScriptedServer.respond;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.bulkhead.BulkheadFullException;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimitedException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class FailuresAndSettingsTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private final List<HttpClientEvent> events = new CopyOnWriteArrayList<>();

  private ResilientHttpClient.Builder onVirtualTime() {
    return ResilientHttpClient.builder("test")
        .timeSource(time)
        .backoff(Backoff.fixed(ofMillis(100)).build());
  }

  @Test
  void retriesARefusedConnectionThenThrowsTheLastIoException() throws Exception {
    URI closed;
    try (var server = ScriptedServer.start(respond(200, "never"))) {
      closed = server.uri("/");
    } // stopped: nothing listens on its port any more
    try (var client = onVirtualTime().build()) {
      client.subscribe(events::add);
      assertThatThrownBy(
              () -> client.send(HttpRequest.newBuilder(closed).build(), BodyHandlers.ofString()))
          .isInstanceOf(ConnectException.class);
      assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(100));
      assertThat(events)
          .filteredOn(HttpClientEvent.GaveUp.class::isInstance)
          .singleElement()
          .satisfies(
              g ->
                  assertThat(((HttpClientEvent.GaveUp) g).reason())
                      .isEqualTo(HttpClientEvent.GaveUp.Reason.ATTEMPTS_EXHAUSTED));
    }
  }

  @Test
  void theLastAttemptsTimeoutSurfacesAsAnHttpTimeoutException() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (var server =
            ScriptedServer.start(
                exchange -> {
                  release.await();
                  respond(200, "late").handle(exchange);
                });
        var client =
            ResilientHttpClient.builder("one-attempt")
                .maxAttempts(1)
                .attemptTimeout(ofMillis(200))
                .build()) {
      try {
        assertTimeoutPreemptively(
            ofSeconds(10),
            () ->
                assertThatThrownBy(
                        () ->
                            client.send(
                                HttpRequest.newBuilder(server.uri("/")).build(),
                                BodyHandlers.ofString()))
                    .isInstanceOf(HttpTimeoutException.class)
                    .hasMessageContaining("attempt timeout of PT0.2S"));
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void aRateLimitRefusalSurfacesTypedWithItsRetryAfter() throws Exception {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("per-host").rate(1, ofSeconds(10)).timeSource(time).build();
    try (var server = ScriptedServer.start(respond(200, "ok"));
        var client = onVirtualTime().maxAttempts(1).rateLimitPerAuthority(limiter).build()) {
      HttpRequest get = HttpRequest.newBuilder(server.uri("/")).build();
      assertThat(client.send(get, BodyHandlers.ofString()).body()).isEqualTo("ok");

      assertThatThrownBy(() -> client.send(get, BodyHandlers.ofString()))
          .isInstanceOfSatisfying(
              RateLimitedException.class,
              e -> assertThat(e.retryAfter().orElseThrow()).isPositive());
      assertThat(server.requests()).isEqualTo(1);
    }
  }

  @Test
  void aBulkheadPerAuthorityRefusesAnAttemptBeyondItsLimit() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (var server =
            ScriptedServer.start(
                respond(200, "ok"),
                exchange -> {
                  arrived.countDown();
                  release.await();
                  respond(200, "first").handle(exchange);
                });
        var client =
            onVirtualTime()
                .bulkheadPerAuthority(a -> Bulkhead.builder("b").maxConcurrentCalls(1).build())
                .build()) {
      client.subscribe(events::add);
      HttpRequest get = HttpRequest.newBuilder(server.uri("/")).build();
      assertTimeoutPreemptively(
          ofSeconds(10),
          () -> {
            Thread first =
                Thread.ofVirtual()
                    .start(
                        () -> {
                          try {
                            client.send(get, BodyHandlers.ofString());
                          } catch (Exception e) {
                            throw new IllegalStateException(e);
                          }
                        });
            arrived.await();
            try {
              assertThatThrownBy(() -> client.send(get, BodyHandlers.ofString()))
                  .isInstanceOf(BulkheadFullException.class);
            } finally {
              release.countDown();
              first.join();
            }
          });
      assertThat(server.requests()).isEqualTo(1); // the refused attempts were never sent
      assertThat(events).filteredOn(HttpClientEvent.Refused.class::isInstance).hasSize(3);
    }
  }

  @Test
  void aPostIsNotHedgedEvenWhenItIsSlow() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (var server =
            ScriptedServer.start(
                exchange -> {
                  // slower than the hedge delay many times over: a GET would have been hedged
                  assertThat(never.await(300, java.util.concurrent.TimeUnit.MILLISECONDS))
                      .isFalse();
                  respond(200, "slow").handle(exchange);
                });
        var client = ResilientHttpClient.builder("hedging").hedgeAfter(ofMillis(20)).build()) {
      client.subscribe(events::add);
      HttpRequest post =
          HttpRequest.newBuilder(server.uri("/orders"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
              .build();
      String body =
          assertTimeoutPreemptively(
              ofSeconds(10), () -> client.send(post, BodyHandlers.ofString()).body());

      assertThat(body).isEqualTo("slow");
      assertThat(server.requests()).isEqualTo(1);
      assertThat(events).noneMatch(HttpClientEvent.Hedged.class::isInstance);
    }
  }

  @Test
  void aReplacedClassifierDecidesWhatIsRetried() throws Exception {
    ResponseClassifier conflictsAreTransient =
        new ResponseClassifier() {
          @Override
          public Outcome classify(java.net.http.HttpResponse.ResponseInfo response) {
            return response.statusCode() == 409
                ? Outcome.TRANSIENT
                : ResponseClassifier.standard().classify(response);
          }
        };
    try (var server =
            ScriptedServer.start(respond(200, "ok"), respond(409, "busy"), respond(503, "down"));
        var client = onVirtualTime().classifier(conflictsAreTransient).build()) {
      assertThat(
              client
                  .send(HttpRequest.newBuilder(server.uri("/")).build(), BodyHandlers.ofString())
                  .body())
          .isEqualTo("ok");
      assertThat(server.requests()).isEqualTo(3);
    }
  }

  @Test
  void aThrowingListenerDoesNotBreakTheCall() throws Exception {
    try (var server = ScriptedServer.start(respond(200, "ok"), respond(503, ""));
        var client = onVirtualTime().build()) {
      client.subscribe(
          e -> {
            throw new IllegalStateException("listener bug");
          });
      assertThat(
              client
                  .send(HttpRequest.newBuilder(server.uri("/")).build(), BodyHandlers.ofString())
                  .body())
          .isEqualTo("ok");
    }
  }

  @Test
  void keepsAtMostMaxAuthoritiesBreakers() throws Exception {
    try (var a = ScriptedServer.start(respond(200, "a"));
        var b = ScriptedServer.start(respond(200, "b"));
        var c = ScriptedServer.start(respond(200, "c"));
        var client = onVirtualTime().maxAuthorities(2).build()) {
      for (var server : List.of(a, b, c)) {
        client.send(HttpRequest.newBuilder(server.uri("/")).build(), BodyHandlers.discarding());
      }
      long kept =
          List.of(a, b, c).stream()
              .filter(s -> client.circuitBreaker(s.authority()).isPresent())
              .count();
      assertThat(kept).isEqualTo(2);
      assertThat(client.circuitBreaker(c.authority())).isPresent(); // the newest is kept
    }
  }

  @Test
  void refusesBadSettingsAtBuildNamingSettingAndValue() {
    assertThatThrownBy(
            () ->
                ResilientHttpClient.builder("x")
                    .totalTimeout(ofSeconds(5))
                    .attemptTimeout(ofSeconds(10))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attemptTimeout must be at most totalTimeout (PT5S), was PT10S");
    assertThatThrownBy(() -> ResilientHttpClient.builder("x").maxAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts")
        .hasMessageContaining("0");
    assertThatThrownBy(
            () -> ResilientHttpClient.builder("x").hedgeAtPercentile(120, ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hedgePercentile must be in (0, 100), was 120.0");
    assertThatThrownBy(() -> ResilientHttpClient.builder("x").maxRetryAfter(ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRetryAfter");
    assertThatThrownBy(() -> ResilientHttpClient.builder(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> ResilientHttpClient.builder("x").classifier(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("classifier");
  }
}
