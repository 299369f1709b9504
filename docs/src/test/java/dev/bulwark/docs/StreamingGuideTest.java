package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Encoders;
import dev.bulwark.streaming.SseEvent;
import dev.bulwark.streaming.StreamResult;
import dev.bulwark.streaming.StreamWriter;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The streaming guide: NDJSON from a generator over the JDK's HttpServer, and SSE frames. */
class StreamingGuideTest {

  record Row(int id) {
    String toJson() {
      return "{\"id\":" + id + "}";
    }
  }

  @Test
  void streamsAThousandRowsAsNdjsonWithBackpressure() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          HttpServer server =
              HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
          BlockingQueue<StreamResult> results = new LinkedBlockingQueue<>();
          try {
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            // tag::ndjson-server[]
            StreamWriter<Row> export =
                StreamWriter.builder("export")
                    .encoder(Encoders.ndjson(Row::toJson))
                    .idleTimeout(Duration.ofSeconds(30)) // the upstream hung
                    .heartbeat(Duration.ofSeconds(15)) // keeps proxies from closing the connection
                    .writeStallTimeout(Duration.ofSeconds(10)) // the client stopped reading
                    .build();

            server.createContext(
                "/rows",
                exchange -> {
                  ChunkSource<Row> rows =
                      ChunkSource.<Row>generator(
                              out -> {
                                for (int id = 1; id <= 1000; id++) {
                                  out.emit(new Row(id)); // blocks while the buffer is full
                                }
                              })
                          .bufferSize(64)
                          .build();
                  StreamResult result = export.writeTo(exchange, rows); // 200, chunked, NDJSON
                  results.add(result); // outcome, items, bytes, elapsed: for your logs
                });
            // end::ndjson-server[]
            server.start();
            var uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/rows");
            try (HttpClient client = HttpClient.newHttpClient()) {
              HttpResponse<java.util.stream.Stream<String>> response =
                  client.send(
                      HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofLines());
              assertThat(response.headers().firstValue("Content-Type"))
                  .hasValue("application/x-ndjson");
              assertThat(response.body().toList())
                  .hasSize(1000)
                  .startsWith("{\"id\":1}")
                  .endsWith("{\"id\":1000}");
            }
          } finally {
            server.stop(0);
          }
          // the handler records the result after the client has seen the end of the stream
          StreamResult result = results.poll(20, TimeUnit.SECONDS);
          assertThat(result).isNotNull().matches(StreamResult::completed);
          assertThat(result.items()).isEqualTo(1000);
        });
  }

  @Test
  void writesServerSentEventsThatAClientCanResumeFrom() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          // tag::sse[]
          StreamWriter<Integer> ticks =
              StreamWriter.builder("ticks")
                  .encoder(
                      Encoders.sse(
                          (Integer n) ->
                              SseEvent.of("tick " + n)
                                  .withId(Integer.toString(n))
                                  .withEvent("tick")))
                  .heartbeat(Duration.ofSeconds(15)) // a ": " comment line when idle
                  .build();
          // end::sse[]
          var out = new ByteArrayOutputStream();
          StreamResult result = ticks.writeTo(out, ChunkSource.of(List.of(1, 2)));
          assertThat(result.completed()).isTrue();
          assertThat(out.toString(StandardCharsets.UTF_8))
              .isEqualTo(
                  "event: tick\nid: 1\ndata: tick 1\n\nevent: tick\nid: 2\ndata: tick 2\n\n");
        });
  }
}
