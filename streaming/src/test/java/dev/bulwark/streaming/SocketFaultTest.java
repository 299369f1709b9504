package dev.bulwark.streaming;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.testing.TrackingThreads;
import dev.bulwark.streaming.StreamResult.Outcome;
import dev.bulwark.streaming.TestSupport.CountingSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults over real sockets: the JDK's {@link HttpServer} on loopback, handlers on virtual threads,
 * and a raw socket or {@code java.net.http} client. Every test bounds itself and checks that the
 * threads it caused have ended.
 */
class SocketFaultTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer server;
  private ExecutorService handlers;
  private final TrackingThreads threads = new TrackingThreads("fault-");

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    handlers = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(handlers);
    server.start();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    server.stop(0);
    handlers.shutdown();
    assertThat(handlers.awaitTermination(5, TimeUnit.SECONDS)).as("handlers ended").isTrue();
    threads.assertAllEnded(Duration.ofSeconds(2));
  }

  private int port() {
    return server.getAddress().getPort();
  }

  /** Serves {@code path} by writing a fresh source with {@code writer}; results go to the list. */
  private <T> List<CompletableFuture<StreamResult>> serve(
      String path, StreamWriter<T> writer, Function<HttpExchange, ChunkSource<T>> sources) {
    List<CompletableFuture<StreamResult>> results =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    server.createContext(
        path,
        exchange -> {
          CompletableFuture<StreamResult> result = new CompletableFuture<>();
          results.add(result);
          try {
            result.complete(writer.writeTo(exchange, sources.apply(exchange)));
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    return results;
  }

  private static Socket get(int port, String path, String... headers) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
    for (String h : headers) {
      request.append(h).append("\r\n");
    }
    request.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(US_ASCII));
    out.flush();
    return socket;
  }

  private static StreamWriter<Long> ndjsonWriter(TrackingThreads threads) {
    return StreamWriter.builder("rows")
        .encoder(
            Encoders.<Long>ndjson(i -> "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(200) + "\"}"))
        .threadFactory(threads)
        .build();
  }

  @Test
  void aClientThatDisconnectsAfterKChunksEndsTheStreamAndStopsTheProducerWithinASecond() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          Random random = new Random(20261122L);
          for (int round = 0; round < 6; round++) {
            int k = 1 + random.nextInt(300);
            AtomicReference<Thread> producer = new AtomicReference<>();
            CountDownLatch producerCleanedUp = new CountDownLatch(1);
            AtomicReference<CountingSource<Long>> source = new AtomicReference<>();
            String path = "/rows" + round;
            List<CompletableFuture<StreamResult>> results =
                serve(
                    path,
                    ndjsonWriter(threads),
                    exchange -> {
                      BufferedSource<Long> generated =
                          ChunkSource.<Long>generator(
                                  out -> {
                                    producer.set(Thread.currentThread());
                                    try {
                                      for (long i = 0; ; i++) {
                                        out.emit(i);
                                      }
                                    } finally {
                                      producerCleanedUp.countDown();
                                    }
                                  })
                              .bufferSize(16)
                              .threadFactory(threads)
                              .build();
                      source.set(new CountingSource<>(generated));
                      return source.get();
                    });

            long disconnectedAt;
            try (Socket socket = get(port(), path)) {
              ChunkedReader reader = new ChunkedReader(socket.getInputStream());
              assertThat(reader.status).isEqualTo(200);
              assertThat(reader.headers).containsEntry("content-type", "application/x-ndjson");
              assertThat(reader.headers).containsEntry("cache-control", "no-cache");
              assertThat(reader.headers).containsEntry("transfer-encoding", "chunked");
              for (int i = 0; i < k; i++) {
                assertThat(JSON.readTree(reader.nextLine()).get("n").asLong()).isEqualTo(i);
              }
              socket.setSoLinger(true, 0); // a reset, as when a browser tab is closed
              disconnectedAt = System.nanoTime();
            }
            while (results.isEmpty()) {
              Thread.onSpinWait();
            }
            StreamResult result = results.get(0).get(1, TimeUnit.SECONDS);
            assertThat(result.outcome())
                .as("round %d, k=%d", round, k)
                .isEqualTo(Outcome.CLIENT_GONE);
            assertThat(result.items()).isGreaterThanOrEqualTo(k);
            assertThat(result.failure()).get().isInstanceOf(IOException.class);
            assertThat(producerCleanedUp.await(1, TimeUnit.SECONDS)).isTrue();
            assertThat(producer.get().join(Duration.ofSeconds(1))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - disconnectedAt))
                .as("everything stopped within a second of the disconnect")
                .isLessThan(Duration.ofSeconds(1));
            assertThat(source.get().closes).hasValue(1);
          }
        });
  }

  @Test
  void theResponseHeadersReachTheClientBeforeTheFirstItemOfAQuietSource() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          CountDownLatch headersSeen = new CountDownLatch(1);
          // no heartbeat, no timeout: nothing but the writer itself can send the headers
          List<CompletableFuture<StreamResult>> results =
              serve(
                  "/quiet",
                  ndjsonWriter(threads),
                  exchange ->
                      ChunkSource.<Long>generator(
                              out -> {
                                headersSeen.await(); // quiet until the client has its headers
                                out.emit(7L);
                              })
                          .threadFactory(threads)
                          .build());
          try (Socket socket = get(port(), "/quiet")) {
            CompletableFuture<ChunkedReader> headers =
                CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        return new ChunkedReader(socket.getInputStream());
                      } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    },
                    handlers);
            ChunkedReader reader = headers.get(5, TimeUnit.SECONDS);
            assertThat(reader.status).isEqualTo(200);
            assertThat(reader.headers).containsEntry("content-type", "application/x-ndjson");
            headersSeen.countDown();
            assertThat(JSON.readTree(reader.nextLine()).get("n").asLong()).isEqualTo(7L);
            assertThat(reader.nextLine()).isNull();
          } finally {
            headersSeen.countDown();
          }
          assertThat(results.get(0).get(5, TimeUnit.SECONDS).outcome())
              .isEqualTo(Outcome.COMPLETED);
        });
  }

  @Test
  void aClientThatStopsReadingHoldsTheProducerBackUntilTheWriteStallTimeoutEndsIt() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          AtomicReference<BufferedSource<Long>> generated = new AtomicReference<>();
          AtomicReference<CountingSource<Long>> source = new AtomicReference<>();
          CountDownLatch producerCleanedUp = new CountDownLatch(1);
          StreamWriter<Long> writer =
              StreamWriter.builder("rows")
                  .encoder(
                      Encoders.<Long>ndjson(
                          i -> "{\"n\":" + i + ",\"pad\":\"" + "y".repeat(4000) + "\"}"))
                  .writeStallTimeout(Duration.ofSeconds(1))
                  .threadFactory(threads)
                  .build();
          List<CompletableFuture<StreamResult>> results =
              serve(
                  "/stuck",
                  writer,
                  exchange -> {
                    generated.set(
                        ChunkSource.<Long>generator(
                                out -> {
                                  try {
                                    for (long i = 0; ; i++) {
                                      out.emit(i);
                                    }
                                  } finally {
                                    producerCleanedUp.countDown();
                                  }
                                })
                            .bufferSize(32)
                            .threadFactory(threads)
                            .build());
                    source.set(new CountingSource<>(generated.get()));
                    return source.get();
                  });
          try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8192);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()));
            socket
                .getOutputStream()
                .write("GET /stuck HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
            // read nothing: the socket buffers fill, the writes block, the producer waits
            while (results.isEmpty()) {
              Thread.onSpinWait();
            }
            StreamResult result = results.get(0).get(10, TimeUnit.SECONDS);
            assertThat(result.outcome()).isEqualTo(Outcome.CLIENT_GONE);
            assertThat(result.failure())
                .get()
                .isInstanceOf(WriteStallException.class)
                .extracting(Throwable::getMessage)
                .isEqualTo("write made no progress within the write-stall timeout of 1s");
            assertThat(generated.get().highWaterMark())
                .as("the producer filled the buffer and was held there")
                .isEqualTo(32);
            assertThat(source.get().closes).hasValue(1);
            assertThat(producerCleanedUp.await(1, TimeUnit.SECONDS)).isTrue();
          }
        });
  }

  @Test
  void anUpstreamThatThrowsMidStreamIsResumedAndEveryItemArrivesExactlyOnce() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          int total = 2_000;
          Random failures = new Random(5);
          AtomicInteger opens = new AtomicInteger();
          AtomicInteger upstreamCloses = new AtomicInteger();
          StreamWriter<Long> writer = ndjsonWriter(threads);
          List<CompletableFuture<StreamResult>> results =
              serve(
                  "/resume",
                  writer,
                  exchange ->
                      ResumingSource.<Long, Long>builder(
                              after -> {
                                opens.incrementAndGet();
                                long start = after.map(p -> p + 1).orElse(0L);
                                int failAfter = 50 + failures.nextInt(400);
                                return ChunkSource.<Long>generator(
                                        out -> {
                                          try {
                                            for (long i = start; i < total; i++) {
                                              if (i - start == failAfter) {
                                                throw new IOException("upstream reset at " + i);
                                              }
                                              out.emit(i);
                                            }
                                          } finally {
                                            upstreamCloses.incrementAndGet();
                                          }
                                        })
                                    .bufferSize(8)
                                    .threadFactory(threads)
                                    .build();
                              },
                              item -> item)
                          .backoff(Backoff.fixed(Duration.ofMillis(5)).build())
                          .maxResumes(2)
                          .build());
          try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<java.util.stream.Stream<String>> response =
                client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/resume"))
                        .build(),
                    HttpResponse.BodyHandlers.ofLines());
            List<Long> received = new ArrayList<>();
            response.body().forEach(line -> received.add(readN(line)));
            assertThat(received).hasSize(total);
            for (int i = 0; i < total; i++) {
              assertThat(received.get(i)).isEqualTo(i);
            }
          }
          StreamResult result = results.get(0).get(5, TimeUnit.SECONDS);
          assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
          assertThat(result.items()).isEqualTo(total);
          assertThat(opens.get()).isGreaterThan(3);
          while (upstreamCloses.get() < opens.get()) {
            Thread.onSpinWait(); // each failed upstream's producer ran its clean-up
          }
          assertThat(upstreamCloses).hasValue(opens.get());
        });
  }

  private static long readN(String line) {
    try {
      return JSON.readTree(line).get("n").asLong();
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  @Test
  void anSseClientThatReconnectsWithLastEventIdGetsEveryEventOnce() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          int total = 40;
          AtomicInteger connections = new AtomicInteger();
          StreamWriter<Integer> writer =
              StreamWriter.builder("events")
                  .encoder(
                      Encoders.<Integer>sse(
                          i -> SseEvent.of("tick " + i + "\nline two").withId(Integer.toString(i))))
                  .threadFactory(threads)
                  .build();
          List<CompletableFuture<StreamResult>> results =
              serve(
                  "/events",
                  writer,
                  exchange -> {
                    boolean first = connections.incrementAndGet() == 1;
                    String lastId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
                    var builder =
                        ResumingSource.<Integer, Integer>builder(
                                after -> {
                                  int from = after.map(p -> p + 1).orElse(0);
                                  List<Integer> items = new ArrayList<>();
                                  for (int i = from; i < total; i++) {
                                    items.add(i);
                                  }
                                  ChunkSource<Integer> all = ChunkSource.of(items);
                                  // the first connection's upstream dies for good after 15 events
                                  return first
                                      ? all.map(
                                          i -> {
                                            if (i == 15) {
                                              throw new IllegalStateException("upstream died");
                                            }
                                            return i;
                                          })
                                      : all;
                                },
                                i -> i)
                            .maxResumes(0);
                    if (lastId != null) {
                      builder.startAfter(Integer.parseInt(lastId));
                    }
                    return builder.build();
                  });
          try (HttpClient client = HttpClient.newHttpClient()) {
            URI uri = URI.create("http://127.0.0.1:" + port() + "/events");
            // like an EventSource: take the events as they come until the connection fails (the
            // failed stream is cut off, not ended), then reconnect with the last event's id
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            try (java.io.InputStream in =
                client
                    .send(
                        HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofInputStream())
                    .body()) {
              byte[] buffer = new byte[256];
              int n;
              while ((n = in.read(buffer)) >= 0) {
                received.write(buffer, 0, n);
              }
              throw new AssertionError("the failed stream ended like a whole one");
            } catch (IOException cutOff) {
              // the connection dropped where the stream failed
            }
            String firstBody = received.toString(java.nio.charset.StandardCharsets.UTF_8);
            List<SseParser.Event> firstEvents = SseParser.parse(firstBody).events();
            String lastEventId = firstEvents.get(firstEvents.size() - 1).lastEventId();
            HttpResponse<String> second =
                client.send(
                    HttpRequest.newBuilder(uri).header("Last-Event-ID", lastEventId).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(second.headers().firstValue("content-type")).contains("text/event-stream");
            List<SseParser.Event> all = new ArrayList<>(firstEvents);
            all.addAll(SseParser.parse(second.body()).events());
            assertThat(all).hasSize(total);
            for (int i = 0; i < total; i++) {
              assertThat(all.get(i))
                  .isEqualTo(new SseParser.Event("message", "tick " + i + "\nline two", "" + i));
            }
          }
          assertThat(results.get(0).get(5, TimeUnit.SECONDS).outcome())
              .isEqualTo(Outcome.SOURCE_FAILED);
          assertThat(results.get(1).get(5, TimeUnit.SECONDS).outcome())
              .isEqualTo(Outcome.COMPLETED);
        });
  }

  @Test
  void anUpstreamThatHangsEndsWithAnIdleTimeoutAndACutOffResponse() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          CountDownLatch never = new CountDownLatch(1);
          CountDownLatch producerCleanedUp = new CountDownLatch(1);
          AtomicReference<CountingSource<Long>> source = new AtomicReference<>();
          StreamWriter<Long> writer =
              StreamWriter.builder("rows")
                  .encoder(Encoders.<Long>ndjson(i -> "{\"n\":" + i + "}"))
                  .idleTimeout(Duration.ofMillis(200))
                  .threadFactory(threads)
                  .build();
          List<CompletableFuture<StreamResult>> results =
              serve(
                  "/hang",
                  writer,
                  exchange -> {
                    BufferedSource<Long> generated =
                        ChunkSource.<Long>generator(
                                out -> {
                                  try {
                                    out.emit(1L);
                                    out.emit(2L);
                                    out.emit(3L);
                                    never.await(); // the upstream hangs
                                  } finally {
                                    producerCleanedUp.countDown();
                                  }
                                })
                            .threadFactory(threads)
                            .build();
                    // start the idle clock only once the items are there, however slow the
                    // machine: the first poll starts the producer and waits for its first item
                    Poll<Long> first;
                    try {
                      first = generated.poll(Duration.ofSeconds(10));
                    } catch (Exception e) {
                      throw new AssertionError("the generator failed to start", e);
                    }
                    while (generated.buffered() < 2) {
                      Thread.yield();
                    }
                    source.set(new CountingSource<>(prepend(first, generated)));
                    return source.get();
                  });
          try (Socket socket = get(port(), "/hang")) {
            ChunkedReader reader = new ChunkedReader(socket.getInputStream());
            List<String> lines = new ArrayList<>();
            assertThatThrownBy(
                    () -> {
                      String line;
                      while ((line = reader.nextLine()) != null) {
                        lines.add(line);
                      }
                    })
                .as("a timed-out stream ends without the terminating chunk")
                .isInstanceOf(java.io.EOFException.class);
            StreamResult result = results.get(0).get(5, TimeUnit.SECONDS);
            assertThat(lines)
                .as("lines of a response that ended with %s", result)
                .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
          }
          StreamResult result = results.get(0).get(5, TimeUnit.SECONDS);
          assertThat(result.outcome()).isEqualTo(Outcome.IDLE_TIMEOUT);
          assertThat(result.items()).isEqualTo(3);
          assertThat(source.get().closes).hasValue(1);
          assertThat(producerCleanedUp.await(1, TimeUnit.SECONDS))
              .as("the hung producer was interrupted and cleaned up")
              .isTrue();
          assertThat(Optional.of(never.getCount())).contains(1L);
        });
  }

  /** Two items, then the upstream fails: a stream that must not look whole to the client. */
  private static ChunkSource<Long> failsAfterTwo() {
    return ChunkSource.fromIterator(
        new java.util.Iterator<Long>() {
          private long n;

          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Long next() {
            if (n == 2) {
              throw new IllegalStateException("upstream lost");
            }
            return ++n;
          }
        });
  }

  @Test
  void aFailedStreamEndsTheChunkedResponseWithoutItsLastChunkSoTheClientSeesAnError() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          StreamWriter<Long> writer =
              StreamWriter.builder("rows")
                  .encoder(Encoders.<Long>ndjson(i -> "{\"n\":" + i + "}"))
                  .threadFactory(threads)
                  .build();
          // completed as the handler's last step: the client sees the cut-off response before that
          CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
          CompletableFuture<StreamResult> result = new CompletableFuture<>();
          server.createContext(
              "/fails",
              exchange -> {
                try {
                  result.complete(writer.writeTo(exchange, failsAfterTwo()));
                } catch (Throwable t) {
                  result.completeExceptionally(t);
                }
                interruptedAfter.complete(Thread.currentThread().isInterrupted());
              });
          try (Socket socket = get(port(), "/fails")) {
            ChunkedReader reader = new ChunkedReader(socket.getInputStream());
            assertThat(reader.status).isEqualTo(200);
            assertThat(reader.nextLine()).isEqualTo("{\"n\":1}");
            assertThat(reader.nextLine()).isEqualTo("{\"n\":2}");
            assertThatThrownBy(reader::nextLine)
                .as("the connection closes where the terminating zero-length chunk would be")
                .isInstanceOf(java.io.EOFException.class);
          }
          assertThat(result.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SOURCE_FAILED);
          assertThat(interruptedAfter.get(5, TimeUnit.SECONDS))
              .as("the handler's thread is not left interrupted")
              .isFalse();
        });
  }

  @Test
  void theJdkHttpClientFailsOnAFailedStreamAndReadsACompletedOneWhole() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          StreamWriter<Long> writer =
              StreamWriter.builder("rows")
                  .encoder(Encoders.<Long>ndjson(i -> "{\"n\":" + i + "}"))
                  .threadFactory(threads)
                  .build();
          List<CompletableFuture<StreamResult>> failed =
              serve("/fails", writer, exchange -> failsAfterTwo());
          List<CompletableFuture<StreamResult>> whole =
              serve("/whole", writer, exchange -> ChunkSource.of(List.of(1L, 2L)));
          try (HttpClient client = HttpClient.newHttpClient()) {
            URI base = URI.create("http://127.0.0.1:" + port());
            assertThatThrownBy(
                    () ->
                        client.send(
                            HttpRequest.newBuilder(base.resolve("/fails")).build(),
                            HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
            HttpResponse<String> response =
                client.send(
                    HttpRequest.newBuilder(base.resolve("/whole")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("{\"n\":1}\n{\"n\":2}\n");
          }
          assertThat(failed.get(0).get(5, TimeUnit.SECONDS).outcome())
              .isEqualTo(Outcome.SOURCE_FAILED);
          assertThat(whole.get(0).get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.COMPLETED);
        });
  }

  @Test
  void aHandlerInterruptedBeforeTheStreamEndsKeepsItsInterruptAndTheResponseIsCutOff() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          StreamWriter<Long> writer =
              StreamWriter.builder("rows")
                  .encoder(Encoders.<Long>ndjson(i -> "{\"n\":" + i + "}"))
                  .threadFactory(threads)
                  .build();
          CompletableFuture<StreamResult> result = new CompletableFuture<>();
          // completed as the handler's last step: the client sees the cut-off response before that
          CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
          server.createContext(
              "/cancelled",
              exchange -> {
                ChunkSource<Long> interruptsAfterOne =
                    ChunkSource.fromIterator(
                        new java.util.Iterator<Long>() {
                          private long n;

                          @Override
                          public boolean hasNext() {
                            if (n == 1) {
                              Thread.currentThread().interrupt(); // the server shuts down, say
                            }
                            return n < 3;
                          }

                          @Override
                          public Long next() {
                            return ++n;
                          }
                        });
                try {
                  result.complete(writer.writeTo(exchange, interruptsAfterOne));
                } catch (Throwable t) {
                  result.completeExceptionally(t);
                }
                interruptedAfter.complete(Thread.interrupted());
              });
          try (Socket socket = get(port(), "/cancelled")) {
            ChunkedReader reader = new ChunkedReader(socket.getInputStream());
            List<String> lines = new ArrayList<>();
            assertThatThrownBy(
                    () -> {
                      String line;
                      while ((line = reader.nextLine()) != null) {
                        lines.add(line);
                      }
                    })
                .isInstanceOf(java.io.EOFException.class);
            assertThat(lines).isSubsetOf("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
          }
          assertThat(result.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.CANCELLED);
          assertThat(interruptedAfter.get(5, TimeUnit.SECONDS))
              .as("the handler's thread keeps its interrupt")
              .isTrue();
        });
  }

  @Test
  void aRefusalByTheGuardLeavesTheExchangeOpenForA503() throws Exception {
    TestSupport.FakeGuard guard = new TestSupport.FakeGuard();
    guard.refuse = true;
    StreamWriter<Long> writer =
        StreamWriter.builder("guarded")
            .encoder(Encoders.<Long>ndjson(i -> "{}"))
            .guard(guard)
            .threadFactory(threads)
            .build();
    // completed as the handler's last step, after the client already has its 503
    CompletableFuture<Integer> sourceCloses = new CompletableFuture<>();
    server.createContext(
        "/guarded",
        exchange -> {
          CountingSource<Long> source = new CountingSource<>(ChunkSource.of(List.of(1L)));
          try {
            writer.writeTo(exchange, source);
          } catch (dev.bulwark.resilience.RejectedException refused) {
            exchange
                .getResponseHeaders()
                .set("Retry-After", Long.toString(refused.retryAfter().orElseThrow().toSeconds()));
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
          }
          sourceCloses.complete(source.closes.get());
        });
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/guarded")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("retry-after")).contains("1");
    }
    assertThat(sourceCloses.get(5, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @Test
  void aPublisherStreamsARequestBodyThroughTheJdkHttpClientUnderItsDemand() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          int total = 5_000;
          AtomicReference<List<Long>> received = new AtomicReference<>();
          server.createContext(
              "/upload",
              exchange -> {
                List<Long> items = new ArrayList<>();
                try (var in =
                    new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                            exchange.getRequestBody(), java.nio.charset.StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    items.add(readN(line));
                  }
                }
                received.set(items);
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
              });
          List<Long> numbers = new ArrayList<>();
          for (long i = 0; i < total; i++) {
            numbers.add(i);
          }
          CountingSource<Long> source = new CountingSource<>(ChunkSource.of(numbers));
          StreamPublisher body = ndjsonWriter(threads).publisher(source);
          try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<Void> response =
                client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/upload"))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(body))
                        .build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(204);
          }
          StreamResult result = body.result().toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
          assertThat(received.get()).isEqualTo(numbers);
          assertThat(source.closes).hasValue(1);
        });
  }

  /** Hands out {@code first} before the items of {@code rest}. */
  private static <T> ChunkSource<T> prepend(Poll<T> first, ChunkSource<T> rest) {
    return new ChunkSource<>() {
      private Poll<T> pending = first;

      @Override
      public Poll<T> poll(Duration timeout) throws Exception {
        Poll<T> p = pending;
        if (p != null) {
          pending = null;
          return p;
        }
        return rest.poll(timeout);
      }

      @Override
      public void close() {
        rest.close();
      }
    };
  }
}
