package dev.bulwark.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many slow requests at once on virtual threads; CPU-bound work bounded by a bulkhead. */
class ConcurrencyTest {

  private static TestService server;

  @BeforeAll
  static void start() throws Exception {
    server = TestService.start(c -> c.withLimits(10L * 1024 * 1024, 1, 32));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void twoHundredSlowRequestsFinishInAboutOneDelay() {
    int n = 200;
    Duration delay = Duration.ofSeconds(2);
    // serially they would take 400 s; at once, about one delay plus overhead (generous: the
    // requests themselves take a while to be sent on a loaded two-core machine)
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            all.add(
                Http.CLIENT.sendAsync(
                    Http.request(server.uri("/concurrent/slow?delay=" + delay.toMillis()))
                        .GET()
                        .build(),
                    HttpResponse.BodyHandlers.ofString()));
          }
          for (CompletableFuture<HttpResponse<String>> f : all) {
            assertThat(f.join().statusCode()).isEqualTo(200);
          }
        });
    int max = Http.json(Http.get(server.uri("/concurrent/stats"))).get("maxInFlight").asInt();
    assertThat(max).as("requests waiting at the same time").isGreaterThanOrEqualTo(50);
  }

  @Test
  void cpuBoundWorkIsBoundedWhileHealthStaysResponsive() {
    int n = 42; // about a second or more of naive recursion
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          CompletableFuture<HttpResponse<String>> busy =
              Http.CLIENT.sendAsync(
                  Http.request(server.uri("/compute/fib?n=" + n)).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
          Poll.until(
              Duration.ofSeconds(10),
              "the compute pool is saturated",
              () ->
                  Http.json(Http.get(server.uri("/concurrent/stats"))).get("computeBusy").asInt()
                      == 1);

          HttpResponse<String> refused = Http.get(server.uri("/compute/fib?n=30"));
          assertThat(refused.statusCode()).isEqualTo(503);
          assertThat(Http.json(refused).get("error").asText()).contains("'compute'");

          for (int i = 0; i < 5; i++) {
            assertTimeoutPreemptively(
                Duration.ofSeconds(1),
                () -> assertThat(Http.get(server.uri("/health/live")).statusCode()).isEqualTo(200),
                "/health/live answers within a second while the CPU work runs");
          }
          assertThat(busy.join().statusCode()).isEqualTo(200);
          assertThat(Http.json(busy.join()).get("fib").asLong()).isEqualTo(267_914_296L);
        });
    assertThat(Http.get(server.uri("/compute/fib?n=46")).statusCode()).isEqualTo(400);
  }
}
