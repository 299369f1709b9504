package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.http.HttpClientEvent;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP client guide, against a real JDK {@code HttpServer} on 127.0.0.1 that answers 503 with
 * {@code Retry-After: 2} once and then 200. Waits run in virtual time.
 */
class HttpClientGuideTest {
  private final AtomicInteger requests = new AtomicInteger();
  private final ManualTimeSource time = new ManualTimeSource();
  private ExecutorService executor;
  private HttpServer server;
  private URI base;

  @BeforeEach
  void startServer() throws IOException {
    executor = Executors.newVirtualThreadPerTaskExecutor();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    server = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    server.createContext("/orders", this::busyOnceThenOk);
    server.setExecutor(executor);
    server.start();
    base = URI.create("http://" + loopback.getHostAddress() + ":" + server.getAddress().getPort());
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    executor.close();
  }

  private void busyOnceThenOk(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      boolean first = requests.incrementAndGet() == 1;
      byte[] body = (first ? "busy" : "order 17").getBytes(StandardCharsets.UTF_8);
      if (first) {
        exchange.getResponseHeaders().set("Retry-After", "2");
      }
      exchange.sendResponseHeaders(first ? 503 : 200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Test
  void theDefaultClientWaitsOutRetryAfterAndReturnsThe200() throws Exception {
    URI orders = base.resolve("/orders/17");
    List<HttpClientEvent> events = new CopyOnWriteArrayList<>();
    HttpResponse<String> response =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> {
              // tag::defaults[]
              try (ResilientHttpClient client =
                  ResilientHttpClient.builder("partners")
                      .timeSource(time) // virtual time for this test; leave out in production
                      .build()) {
                client.subscribe(events::add); // AttemptStarted, Retrying, GaveUp, ...
                return client.send(HttpRequest.newBuilder(orders).build(), BodyHandlers.ofString());
              }
              // end::defaults[]
            });

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("order 17");
    assertThat(requests).hasValue(2);
    // the server's Retry-After: 2 lengthened the (jittered, at most 1 s) first backoff
    assertThat(time.sleeps()).singleElement().isEqualTo(Duration.ofSeconds(2));
    assertThat(events).filteredOn(HttpClientEvent.Retrying.class::isInstance).hasSize(1);
  }

  @Test
  void aPostWithoutIdempotencyKeyIsNotRetried() throws Exception {
    URI orders = base.resolve("/orders");
    HttpResponse<String> response =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> {
              try (ResilientHttpClient client = tuned()) {
                // tag::post[]
                HttpRequest charge =
                    HttpRequest.newBuilder(orders).POST(BodyPublishers.ofString("{}")).build();
                // a 503 to a POST comes back as it is: sent twice, it might charge twice
                return client.send(charge, BodyHandlers.ofString());
                // end::post[]
              }
            });

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(requests).hasValue(1);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void aPostWithAnIdempotencyKeyIsRetried() throws Exception {
    URI orders = base.resolve("/orders");
    HttpResponse<String> response =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> {
              try (ResilientHttpClient client = tuned()) {
                HttpRequest charge =
                    HttpRequest.newBuilder(orders)
                        .header("Idempotency-Key", "order-17-charge")
                        .POST(BodyPublishers.ofString("{}"))
                        .build();
                return client.send(charge, BodyHandlers.ofString());
              }
            });

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(requests).hasValue(2);
  }

  @Test
  void theTunedClientKeepsItsSettings() {
    try (ResilientHttpClient client = tuned()) {
      assertThat(client.config().totalTimeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(client.config().attemptTimeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(client.config().maxAttempts()).isEqualTo(3);
    }
  }

  @Test
  void theDefaultsAreTheOnesTheGuideStates() {
    try (ResilientHttpClient client = ResilientHttpClient.builder("defaults").build()) {
      ResilientHttpClient.Config config = client.config();
      assertThat(config.totalTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(config.attemptTimeout()).isEqualTo(Duration.ofSeconds(10));
      assertThat(config.maxAttempts()).isEqualTo(3);
      assertThat(config.maxRetryAfter()).isEqualTo(Duration.ofSeconds(30));
      assertThat(config.maxAuthorities()).isEqualTo(1_000);
    }
  }

  private ResilientHttpClient tuned() {
    // tag::tuned[]
    ResilientHttpClient client =
        ResilientHttpClient.builder("partners")
            .totalTimeout(Duration.ofSeconds(5)) // all attempts and waits
            .attemptTimeout(Duration.ofSeconds(2)) // each attempt, body included
            .bulkheadPerAuthority(a -> Bulkhead.builder(a).maxConcurrentCalls(50).build())
            .idempotentIf(r -> r.uri().getPath().startsWith("/search"))
            .timeSource(time)
            .build();
    // end::tuned[]
    return client;
  }
}
