package dev.bulwark.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every request/response endpoint's happy and refusal paths, against one real server. */
class ApiTest {

  private static final long UPLOAD_LIMIT = 64 * 1024;
  private static TestService server;

  @BeforeAll
  static void start() throws Exception {
    server = TestService.start(c -> c.withRate(6, 5).withLimits(UPLOAD_LIMIT, 1, 32));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void quoteIsServedFreshFromTheUpstreamWithRateLimitHeaders() {
    HttpResponse<String> r = Http.get(server.uri("/quotes/ACME"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode q = Http.json(r);
    assertThat(q.get("symbol").asText()).isEqualTo("ACME");
    assertThat(q.get("price").asDouble()).isEqualTo(Prices.price("ACME", 0));
    assertThat(q.get("served").asText()).isEqualTo("fresh");
    assertThat(r.headers().firstValue("RateLimit-Limit")).hasValue("5");
    assertThat(r.headers().firstValue("RateLimit-Remaining")).hasValue("4");
    assertThat(r.headers().firstValue("RateLimit-Reset")).isPresent();
  }

  @Test
  void badSymbolIsRefusedWith400SayingWhy() {
    HttpResponse<String> r = Http.get(server.uri("/quotes/acme1"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Http.json(r).get("error").asText()).contains("symbol must be 1-8 capital letters");
  }

  @Test
  void aClientOverItsRateIsRefusedWith429AndRetryAfter() {
    String key = "rate-test-key";
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> ok =
          Http.send(Http.request(server.uri("/concurrent/slow?delay=0"), key).build());
      assertThat(ok.statusCode()).as("request %d", i).isEqualTo(200);
    }
    HttpResponse<String> refused =
        Http.send(Http.request(server.uri("/concurrent/slow?delay=0"), key).build());
    assertThat(refused.statusCode()).isEqualTo(429);
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 10L); // one permit every 10 s
    assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
    assertThat(Http.json(refused).get("error").asText()).contains("'api'");
    // another client is not affected
    assertThat(Http.get(server.uri("/concurrent/slow?delay=0")).statusCode()).isEqualTo(200);
  }

  @Test
  void aJobIsAcceptedWith202AndLocationAndFinishes() {
    HttpResponse<String> r =
        Http.postJson(server.uri("/jobs"), "{\"task\":\"report\",\"durationMs\":50}");
    assertThat(r.statusCode()).isEqualTo(202);
    String location = r.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith("/jobs/");
    Poll.until(
        Duration.ofSeconds(10),
        "the job succeeded",
        () -> Http.json(Http.get(server.uri(location))).get("status").asText().equals("SUCCEEDED"));
  }

  @Test
  void badJobsAreRefusedNamingEachField() {
    HttpResponse<String> r =
        Http.postJson(server.uri("/jobs"), "{\"task\":\"mine\",\"durationMs\":-1}");
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(fieldNames(r)).containsExactlyInAnyOrder("task", "durationMs");
    assertThat(Http.postJson(server.uri("/jobs"), "{not json").statusCode()).isEqualTo(400);
    HttpResponse<String> text =
        Http.send(
            Http.request(server.uri("/jobs"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("report"))
                .build());
    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(Http.get(server.uri("/jobs/no-such-job")).statusCode()).isEqualTo(404);
  }

  @Test
  void registrationAnswers201AndWritesTheWelcomeMailToTheOutbox() {
    HttpResponse<String> r =
        Http.postJson(server.uri("/users"), "{\"name\":\"Ada\",\"email\":\"ada@example.com\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("Location").orElseThrow()).startsWith("/users/");
    Path outbox = server.dataDir.resolve("outbox.ndjson");
    Poll.until(
        Duration.ofSeconds(10),
        "the welcome mail is in the outbox",
        () -> read(outbox).contains("\"to\":\"ada@example.com\""));
    HttpResponse<String> again =
        Http.postJson(server.uri("/users"), "{\"name\":\"Ada\",\"email\":\"ADA@example.com\"}");
    assertThat(again.statusCode()).isEqualTo(409);
  }

  @Test
  void invalidRegistrationIsRefusedWith422NamingEachField() {
    HttpResponse<String> r =
        Http.postJson(server.uri("/users"), "{\"name\":\"\",\"email\":\"not-an-email\"}");
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(fieldNames(r)).containsExactlyInAnyOrder("name", "email");
  }

  @Test
  void severalFilesWithMetadataAreStoredUnderGeneratedNames() throws Exception {
    HttpResponse<String> r =
        Http.send(
            new Http.Multipart()
                .file("files", "a.txt", "alpha".getBytes(StandardCharsets.UTF_8))
                .file("files", "b.csv", "1,2,3".getBytes(StandardCharsets.UTF_8))
                .field("description", "two files")
                .field("tags", "demo,csv")
                .field("category", "data")
                .request(server.uri("/files")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode files = Http.json(r).get("files");
    assertThat(files).hasSize(2);
    assertThat(files.get(0).get("originalName").asText()).isEqualTo("a.txt");
    assertThat(files.get(1).get("tags").toString()).isEqualTo("[\"demo\",\"csv\"]");
    Path stored =
        server.dataDir.resolve("uploads").resolve(files.get(0).get("id").asText() + ".bin");
    assertThat(Files.readString(stored)).isEqualTo("alpha");
    Path digest = stored.resolveSibling(files.get(0).get("id").asText() + ".sha256");
    Poll.until(Duration.ofSeconds(10), "the upload was processed", () -> Files.exists(digest));
  }

  @Test
  void invalidUploadMetadataIsRefusedWith422NamingEachField() {
    HttpResponse<String> r =
        Http.send(
            new Http.Multipart()
                .field("description", "x".repeat(501))
                .field("tags", "Not A Tag")
                .field("category", "secrets")
                .request(server.uri("/files")));
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(fieldNames(r)).containsExactlyInAnyOrder("files", "description", "tags", "category");
  }

  @Test
  void anUploadOverTheLimitIsRefusedWith413() {
    HttpResponse<String> r =
        Http.send(
            new Http.Multipart()
                .file("files", "big.bin", new byte[(int) UPLOAD_LIMIT + 1])
                .request(server.uri("/files")));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(Http.json(r).get("error").asText()).contains("limit of " + UPLOAD_LIMIT);
  }

  @Test
  void hostileFileNamesAreStoredSafelyAndKeptOnlyAsMetadata() throws Exception {
    List<String> names =
        List.of("../../etc/passwd", "..\\..\\x", "nul\0byte.txt", "n".repeat(4096), "/abs/path");
    for (String name : names) {
      HttpResponse<String> r =
          Http.send(
              new Http.Multipart()
                  .encodedFile("files", name, "hostile".getBytes(StandardCharsets.UTF_8))
                  .request(server.uri("/files")));
      assertThat(r.statusCode())
          .as("upload named %s: %s", name.length() > 40 ? name.length() + " chars" : name, r.body())
          .isEqualTo(201);
      JsonNode file = Http.json(r).get("files").get(0);
      String id = file.get("id").asText();
      assertThat(id).matches("[0-9a-f-]{36}");
      assertThat(server.dataDir.resolve("uploads").resolve(id + ".bin")).hasContent("hostile");
      JsonNode meta =
          Http.JSON.readTree(server.dataDir.resolve("uploads").resolve(id + ".json").toFile());
      assertThat(meta.get("originalName").asText()).isEqualTo(file.get("originalName").asText());
      assertThat(meta.get("originalName").asText()).isEqualTo(name);
    }
    // the same names raw in the header: a NUL byte is not allowed there, so that one is refused
    for (String name : names) {
      HttpResponse<String> r =
          Http.send(
              new Http.Multipart()
                  .file("files", name, "hostile".getBytes(StandardCharsets.UTF_8))
                  .request(server.uri("/files")));
      if (name.indexOf('\0') >= 0) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Http.json(r).get("error").asText()).contains("multipart body could not be read");
        // the server closes a connection whose request it could not parse, and says so: a client
        // that pooled it would send the next upload into a closed socket
        assertThat(r.headers().firstValue("Connection")).hasValue("close");
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      }
    }
    // nothing but generated names was ever written: every file in the data dir is ours
    try (Stream<Path> all = Files.walk(server.dataDir)) {
      assertThat(all.filter(Files::isRegularFile).map(p -> server.dataDir.relativize(p).toString()))
          .allMatch(
              p ->
                  p.matches("uploads/[0-9a-f-]{36}\\.(bin|json|sha256)")
                      || p.equals("outbox.ndjson")
                      || p.equals("completed-jobs.log")
                      || p.startsWith("tmp/"));
    }
    assertThat(server.dataDir.getParent().resolve("etc")).doesNotExist();
    assertThat(server.dataDir.getParent().resolve("x")).doesNotExist();
  }

  @Test
  void healthAndMetricsAnswer() {
    assertThat(Http.get(server.uri("/health/live")).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = Http.get(server.uri("/health/ready"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(Http.json(ready).get("ready").asBoolean()).isTrue();
    Http.get(server.uri("/quotes/ACME"));
    HttpResponse<String> metrics = Http.get(server.uri("/metrics"));
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    assertThat(metrics.body())
        .contains("bulwark_circuitbreaker_state{name=\"quotes\",state=\"closed\"} 1.0")
        .contains("bulwark_circuitbreaker_calls_total{name=\"quotes\",outcome=\"success\"}")
        .contains("bulwark_circuitbreaker_failure_rate_percent{name=\"quotes\"}")
        .contains("bulwark_retry_calls_total{name=\"quotes\",outcome=\"success_without_retry\"}")
        .contains("bulwark_retrybudget_available{name=\"quotes-retry-budget\"}")
        .contains("bulwark_bulkhead_available_permits{name=\"quotes\"}")
        .contains("bulwark_bulkhead_limit{name=\"compute\"}")
        .contains("bulwark_ratelimiter_keys{name=\"api\"}")
        .contains("bulwark_stream_active{name=\"ndjson\"}")
        .contains("bulwark_stream_active{name=\"sse\"}")
        .contains("bulwark_supervisor_ready{name=\"quotes-service\"} 1.0")
        .contains("bulwark_jobqueue_queued{name=\"jobs\"}")
        .contains("jvm_memory_used_bytes")
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",status=\"200\",uri=\"/quotes/{symbol}\"}");
  }

  @Test
  void adminEndpointsNeedTheToken() {
    HttpResponse<String> none = Http.postJson(server.uri("/admin/upstream"), "{\"failureRate\":0}");
    assertThat(none.statusCode()).isEqualTo(401);
    HttpResponse<String> invalid =
        Http.send(
            Http.request(server.uri("/admin/upstream"))
                .header("X-Admin-Token", TestService.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"failureRate\":2,\"latencyMs\":-5}"))
                .build());
    assertThat(invalid.statusCode()).isEqualTo(422);
    assertThat(fieldNames(invalid)).containsExactlyInAnyOrder("failureRate", "latencyMs");
  }

  @Test
  void adminEndpointsAreOffWithoutAConfiguredToken() throws Exception {
    try (TestService noAdmin = TestService.start(c -> c.withAdminToken(null))) {
      HttpResponse<String> r =
          Http.send(
              Http.request(noAdmin.uri("/admin/upstream"))
                  .header("X-Admin-Token", "anything")
                  .GET()
                  .build());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(Http.json(r).get("error").asText()).contains("BULWARK_ADMIN_TOKEN");
    }
  }

  @Test
  void unknownPathsAnswer404InJsonAndTheStatusPageIsServed() {
    HttpResponse<String> r = Http.get(server.uri("/no/such/thing"));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(Http.json(r).get("error").asText()).contains("GET /no/such/thing");
    HttpResponse<String> page = Http.get(server.uri("/"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("id=\"breaker-state\"");
  }

  private static List<String> fieldNames(HttpResponse<String> r) {
    JsonNode fields = Http.json(r).get("fields");
    assertThat(fields).as(r.body()).isNotNull();
    return Stream.of(fields.fieldNames())
        .flatMap(
            it -> {
              java.util.List<String> l = new java.util.ArrayList<>();
              it.forEachRemaining(l::add);
              return l.stream();
            })
        .toList();
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
