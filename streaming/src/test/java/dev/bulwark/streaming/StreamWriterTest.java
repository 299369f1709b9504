package dev.bulwark.streaming;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.testing.TrackingThreads;
import dev.bulwark.streaming.StreamResult.Outcome;
import dev.bulwark.streaming.TestSupport.CountingSource;
import dev.bulwark.streaming.TestSupport.FakeGuard;
import dev.bulwark.streaming.TestSupport.FakeRejection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StreamWriterTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private static StreamWriter.Builder<Integer> ndjson() {
    return StreamWriter.builder("rows").encoder(Encoders.<Integer>ndjson(i -> "{\"n\":" + i + "}"));
  }

  /** Runs the writer on a virtual thread, so the test thread can drive virtual time. */
  private static CompletableFuture<StreamResult> startWriting(
      StreamWriter<Integer> writer, OutputStream out, ChunkSource<Integer> source) {
    CompletableFuture<StreamResult> result = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                result.complete(writer.writeTo(out, source));
              } catch (Throwable t) {
                result.completeExceptionally(t);
              }
            });
    return result;
  }

  @Test
  void anOutputStreamIsFlushedWhenTheStreamStartsBeforeTheSourceIsAskedForAnItem() {
    ManualTimeSource time = new ManualTimeSource();
    Recording out = new Recording(time);
    AtomicInteger flushesAtFirstPoll = new AtomicInteger(-1);
    ChunkSource<Integer> quiet =
        new ChunkSource<>() {
          @Override
          public Poll<Integer> poll(Duration timeout) {
            flushesAtFirstPoll.compareAndSet(-1, out.flushes());
            return Poll.end();
          }

          @Override
          public void close() {}
        };
    StreamResult result = ndjson().timeSource(time).build().writeTo(out, quiet);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(flushesAtFirstPoll)
        .as("whatever the caller wrote before the stream (headers) is pushed out at once")
        .hasValue(1);
  }

  @Test
  void writesEveryItemAsNdjsonThatJacksonParsesAndCompletes() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Recording out = new Recording(time);
    CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(500)));
    StreamResult result = ndjson().timeSource(time).build().writeTo(out, source);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.completed()).isTrue();
    assertThat(result.items()).isEqualTo(500);
    assertThat(result.bytes()).isEqualTo(out.text().getBytes(UTF_8).length);
    assertThat(result.failure()).isEmpty();
    assertThat(source.closes).hasValue(1);
    String[] lines = out.text().split("\n");
    assertThat(lines).hasSize(500);
    for (int i = 0; i < lines.length; i++) {
      assertThat(JSON.readTree(lines[i]).get("n").asInt()).isEqualTo(i);
    }
    assertThat(out.flushes()).isEqualTo(1 + 500); // once at the start, then per item
  }

  @Test
  void aBadItemMidStreamEndsTheStreamAfterTheLastWholeFrame() throws Exception {
    Recording out = new Recording(new ManualTimeSource());
    CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(10)));
    StreamWriter<Integer> writer =
        StreamWriter.builder("rows")
            .encoder(Encoders.<Integer>ndjson(i -> i == 3 ? "{\"n\":\n3}" : "{\"n\":" + i + "}"))
            .build();
    StreamResult result = writer.writeTo(out, source);
    assertThat(result.outcome()).isEqualTo(Outcome.SOURCE_FAILED);
    assertThat(result.items()).isEqualTo(3);
    assertThat(result.failure())
        .get()
        .isInstanceOf(IllegalArgumentException.class)
        .extracting(Throwable::getMessage)
        .asString()
        .startsWith("NDJSON value must not contain a raw line break, found LF at index 5");
    assertThat(out.text()).isEqualTo("{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
    assertThat(source.closes).hasValue(1);
  }

  @Test
  void aBadItemFromAGeneratorStopsItsProducerToo() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          TrackingThreads threads = new TrackingThreads("gen-");
          CountDownLatch cleanedUp = new CountDownLatch(1);
          ChunkSource<Integer> endless =
              ChunkSource.<Integer>generator(
                      o -> {
                        try {
                          for (int i = 0; ; i++) {
                            o.emit(i);
                          }
                        } finally {
                          cleanedUp.countDown();
                        }
                      })
                  .threadFactory(threads)
                  .build();
          StreamWriter<Integer> writer =
              StreamWriter.builder("rows")
                  .encoder(
                      Encoders.<Integer>ndjson(
                          i -> {
                            if (i == 5) {
                              throw new IllegalStateException("row 5 cannot be serialised");
                            }
                            return "{\"n\":" + i + "}";
                          }))
                  .build();
          Recording out = new Recording(new ManualTimeSource());
          StreamResult r = writer.writeTo(out, endless);
          assertThat(r.outcome()).isEqualTo(Outcome.SOURCE_FAILED);
          assertThat(r.failure().orElseThrow()).hasMessage("row 5 cannot be serialised");
          assertThat(out.text().split("\n")).hasSize(5);
          cleanedUp.await();
          threads.assertAllEnded(Duration.ofSeconds(1));
        });
  }

  @Test
  void aBadSseIdMidStreamEndsTheStreamWithSourceFailedAndWholeEventsOnly() {
    Recording out = new Recording(new ManualTimeSource());
    StreamWriter<String> writer =
        StreamWriter.builder("sse")
            .encoder(Encoders.<String>sse(s -> SseEvent.of("v=" + s).withId(s)))
            .build();
    StreamResult result = writer.writeTo(out, ChunkSource.of(List.of("1", "2", "3\n4", "5")));
    assertThat(result.outcome()).isEqualTo(Outcome.SOURCE_FAILED);
    assertThat(result.failure().orElseThrow())
        .hasMessage("SSE id must not contain CR or LF, was \"3\\n4\" (line break at index 1)");
    assertThat(SseParser.parse(out.text()).events())
        .extracting(SseParser.Event::lastEventId)
        .containsExactly("1", "2");
    assertThat(out.text()).endsWith("\n\n");
  }

  @Test
  void aSourceThatThrowsEndsWithSourceFailedAndItsReason() {
    Recording out = new Recording(new ManualTimeSource());
    ChunkSource<Integer> source =
        ChunkSource.<Integer>generator(
                o -> {
                  o.emit(1);
                  throw new IOException("cursor lost");
                })
            .build();
    StreamResult result = ndjson().build().writeTo(out, source);
    assertThat(result.outcome()).isEqualTo(Outcome.SOURCE_FAILED);
    assertThat(result.items()).isEqualTo(1);
    assertThat(result.failure().orElseThrow())
        .isInstanceOf(IOException.class)
        .hasMessage("cursor lost");
  }

  @Test
  void aFailingWriteMeansTheClientIsGoneAndTheSourceIsClosedOnce() {
    OutputStream broken =
        new OutputStream() {
          int writes;

          @Override
          public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (++writes > 2) {
              throw new IOException("Broken pipe");
            }
          }
        };
    CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(10)));
    StreamResult result = ndjson().build().writeTo(broken, source);
    assertThat(result.outcome()).isEqualTo(Outcome.CLIENT_GONE);
    assertThat(result.items()).isEqualTo(2);
    assertThat(result.failure().orElseThrow()).hasMessage("Broken pipe");
    assertThat(source.closes).hasValue(1);
  }

  @Test
  void idleTimeoutEndsAStreamWhoseSourceHangsInVirtualTime() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ManualTimeSource time = new ManualTimeSource();
          Channel<Integer> channel = Channel.<Integer>builder("test").timeSource(time).build();
          CountingSource<Integer> source = new CountingSource<>(channel.asSource());
          Recording out = new Recording(time);
          StreamWriter<Integer> writer =
              ndjson().idleTimeout(Duration.ofSeconds(30)).timeSource(time).build();
          channel.send(1); // taken at once; then the source hangs
          CompletableFuture<StreamResult> result = startWriting(writer, out, source);
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(29));
          assertThat(result).isNotDone();
          time.advance(Duration.ofSeconds(1));
          StreamResult r = result.get();
          assertThat(r.outcome()).isEqualTo(Outcome.IDLE_TIMEOUT);
          assertThat(r.failure().orElseThrow())
              .isInstanceOf(StreamTimeoutException.class)
              .hasMessage("no item from the source within the idle timeout of 30s");
          assertThat(source.closes).hasValue(1);
          assertThat(channel.isCancelled()).isTrue();
        });
  }

  @Test
  void totalTimeoutEndsAStreamThatRunsTooLongEvenWithSteadyItems() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    List<Integer> items = range(100);
    List<Long> arrivals = items.stream().map(i -> i * 1_000_000_000L).toList();
    Recording.Scripted<Integer> source = new Recording.Scripted<>(time, items, arrivals);
    StreamResult r =
        ndjson()
            .totalTimeout(Duration.ofSeconds(10))
            .timeSource(time)
            .build()
            .writeTo(new Recording(time), source);
    assertThat(r.outcome()).isEqualTo(Outcome.TOTAL_TIMEOUT);
    assertThat(r.items()).isEqualTo(11); // 0 s to 10 s: the last one arrives at the deadline
    assertThat(r.elapsed()).isEqualTo(Duration.ofSeconds(10));
    assertThat(source.closes).isEqualTo(1);
  }

  @Test
  void interruptingTheWriterCancelsTheStreamAndKeepsTheInterrupt() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Channel<Integer> channel = Channel.<Integer>builder("test").build();
          CountingSource<Integer> source = new CountingSource<>(channel.asSource());
          CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
          CompletableFuture<StreamResult> result = new CompletableFuture<>();
          Thread writerThread =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        result.complete(
                            ndjson()
                                .build()
                                .writeTo(new Recording(new ManualTimeSource()), source));
                        stillInterrupted.complete(Thread.currentThread().isInterrupted());
                      });
          channel.send(7);
          while (writerThread.getState() != Thread.State.WAITING || channel.size() > 0) {
            Thread.onSpinWait();
          }
          writerThread.interrupt();
          assertThat(result.get().outcome()).isEqualTo(Outcome.CANCELLED);
          assertThat(result.get().items()).isEqualTo(1);
          assertThat(stillInterrupted.get()).isTrue();
          assertThat(source.closes).hasValue(1);
        });
  }

  @Test
  void interruptingAWriterBlockedInAWriteCancelsTheStream() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch blocked = new CountDownLatch(1);
          OutputStream blocking =
              new OutputStream() {
                @Override
                public void write(int b) {}

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                  blocked.countDown();
                  try {
                    new CountDownLatch(1).await();
                  } catch (InterruptedException e) {
                    throw new InterruptedIOException("interrupted");
                  }
                }
              };
          CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(3)));
          CompletableFuture<StreamResult> result = new CompletableFuture<>();
          CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
          Thread writerThread =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        result.complete(ndjson().build().writeTo(blocking, source));
                        stillInterrupted.complete(Thread.currentThread().isInterrupted());
                      });
          blocked.await();
          writerThread.interrupt();
          assertThat(result.get().outcome()).isEqualTo(Outcome.CANCELLED);
          assertThat(result.get().failure().orElseThrow())
              .isInstanceOf(InterruptedIOException.class);
          assertThat(stillInterrupted.get()).isTrue();
          assertThat(source.closes).hasValue(1);
        });
  }

  @Test
  void aWriteThatStallsEndsTheStreamAsClientGoneAfterTheStallTimeoutInVirtualTime() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ManualTimeSource time = new ManualTimeSource();
          CountDownLatch blocked = new CountDownLatch(1);
          CountDownLatch never = new CountDownLatch(1);
          OutputStream stalling =
              new OutputStream() {
                int writes;

                @Override
                public void write(int b) {}

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                  if (++writes == 3) {
                    blocked.countDown();
                    try {
                      never.await(); // the peer stopped reading: the socket buffer is full
                    } catch (InterruptedException e) {
                      throw new InterruptedIOException("write interrupted");
                    }
                  }
                }
              };
          TrackingThreads threads = new TrackingThreads("stall-");
          CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(10)));
          StreamWriter<Integer> writer =
              ndjson()
                  .writeStallTimeout(Duration.ofSeconds(10))
                  .timeSource(time)
                  .threadFactory(threads)
                  .build();
          CompletableFuture<StreamResult> result = startWriting(writer, stalling, source);
          blocked.await();
          time.awaitWaiters(1); // the watcher waits for the stalled write's deadline
          time.advance(Duration.ofSeconds(9));
          assertThat(result).isNotDone();
          time.advance(Duration.ofSeconds(1));
          StreamResult r = result.get();
          assertThat(r.outcome()).isEqualTo(Outcome.CLIENT_GONE);
          assertThat(r.items()).isEqualTo(2);
          assertThat(r.failure().orElseThrow())
              .isInstanceOf(WriteStallException.class)
              .hasMessage("write made no progress within the write-stall timeout of 10s");
          assertThat(source.closes).hasValue(1);
          assertThat(threads.threads()).hasSize(1);
          threads.assertAllEnded(Duration.ofSeconds(1));
        });
  }

  @Test
  void flushPerBatchFlushesAfterTheBatchOrWhenTheSourcePauses() {
    ManualTimeSource time = new ManualTimeSource();
    Recording out = new Recording(time);
    StreamResult r =
        ndjson().flushPerBatch(4).timeSource(time).build().writeTo(out, ChunkSource.of(range(10)));
    assertThat(r.items()).isEqualTo(10);
    assertThat(out.flushes()).isEqualTo(4); // at the start, after 4, after 8, at the end

    Recording paused = new Recording(time);
    List<Long> arrivals = List.of(0L, 0L, 5_000L, 5_000L, 5_000L);
    ndjson()
        .flushPerBatch(100)
        .timeSource(time)
        .build()
        .writeTo(
            paused,
            new Recording.Scripted<>(
                time, range(5), arrivals.stream().map(a -> a + time.nanoTime()).toList()));
    assertThat(paused.flushes()).isEqualTo(3); // at the start, when the source paused, at the end
  }

  @Test
  void guardHearsTheOutcomeOfEachStream() {
    FakeGuard guard = new FakeGuard();
    StreamWriter<Integer> writer = ndjson().guard(guard).build();
    writer.writeTo(new Recording(new ManualTimeSource()), ChunkSource.of(range(3)));
    writer.writeTo(
        new Recording(new ManualTimeSource()),
        ChunkSource.<Integer>generator(
                o -> {
                  throw new IOException("down");
                })
            .build());
    writer.writeTo(
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("gone");
          }
        },
        ChunkSource.of(range(3)));
    assertThat(guard.outcomes).containsExactly("success", "failure:IOException", "closed");
    assertThat(guard.released).hasValue(3);
    assertThat(writer.config().guard()).contains("fake");
  }

  @Test
  void timeoutsCountAsFailuresForTheGuard() throws Exception {
    FakeGuard guard = new FakeGuard();
    ManualTimeSource time = new ManualTimeSource();
    StreamWriter<Integer> writer =
        ndjson().guard(guard).idleTimeout(Duration.ofSeconds(1)).timeSource(time).build();
    Recording.Scripted<Integer> late =
        new Recording.Scripted<>(time, List.of(1), List.of(5_000_000_000L));
    assertThat(writer.writeTo(new Recording(time), late).outcome()).isEqualTo(Outcome.IDLE_TIMEOUT);
    assertThat(guard.outcomes).containsExactly("failure:StreamTimeoutException");
  }

  @Test
  void aRefusedStreamWritesNothingClosesTheSourceAndThrowsTheRefusal() {
    FakeGuard guard = new FakeGuard();
    guard.refuse = true;
    List<StreamEvent> events = new CopyOnWriteArrayList<>();
    StreamWriter<Integer> writer = ndjson().guard(guard).build();
    writer.subscribe(events::add);
    Recording out = new Recording(new ManualTimeSource());
    CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(3)));
    assertThatThrownBy(() -> writer.writeTo(out, source))
        .isInstanceOf(FakeRejection.class)
        .hasMessage("guard 'fake' is full; try again in 1s");
    assertThat(out.writes()).isEmpty();
    assertThat(source.closes).hasValue(1);
    assertThat(events).singleElement().isInstanceOf(StreamEvent.Rejected.class);
  }

  @Test
  void listenersHearTheStartAndTheEndWithTheResult() {
    List<StreamEvent> events = new ArrayList<>();
    StreamWriter<Integer> writer = ndjson().build();
    var subscription = writer.subscribe(events::add);
    StreamResult r =
        writer.writeTo(new Recording(new ManualTimeSource()), ChunkSource.of(range(2)));
    subscription.close();
    writer.writeTo(new Recording(new ManualTimeSource()), ChunkSource.of(range(2)));
    assertThat(events)
        .containsExactly(new StreamEvent.Started("rows"), new StreamEvent.Ended("rows", r));
    assertThat(((StreamEvent.Ended) events.get(1)).elapsed()).isEqualTo(r.elapsed());
  }

  @Test
  void configIsReadableAsBuilt() {
    StreamWriter<Integer> writer =
        ndjson()
            .idleTimeout(Duration.ofSeconds(30))
            .heartbeat(Duration.ofSeconds(15))
            .flushPerBatch(16)
            .build();
    assertThat(writer.config())
        .isEqualTo(
            new StreamWriter.Config(
                "rows",
                java.util.Optional.of(Duration.ofSeconds(30)),
                java.util.Optional.empty(),
                java.util.Optional.of(Duration.ofSeconds(15)),
                java.util.Optional.empty(),
                StreamWriter.Flush.PER_BATCH,
                16,
                java.util.Optional.empty()));
    assertThat(writer.encoder().contentType()).isEqualTo("application/x-ndjson");
  }

  @Test
  void ndjsonParsesLineByLineEvenWithHeartbeatsBetweenItems() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Recording out = new Recording(time);
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rows.add(Map.of("i", i, "s", "tab\there \"q\" \u00e9"));
      arrivals.add(i * 7_000_000_000L);
    }
    StreamResult r =
        StreamWriter.builder("rows")
            .encoder(Encoders.<Map<String, Object>>ndjson(JSON::writeValueAsString))
            .heartbeat(Duration.ofSeconds(5))
            .timeSource(time)
            .build()
            .writeTo(out, new Recording.Scripted<>(time, rows, arrivals));
    assertThat(r.heartbeats()).isEqualTo(19);
    int i = 0;
    for (String line : out.text().split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      assertThat(JSON.readTree(line).get("i").asInt()).isEqualTo(i++);
    }
    assertThat(i).isEqualTo(20);
  }

  @Test
  void interruptingAWriterWhoseSourceAndOutputNeverBlockStillCancelsTheStream() {
    ChunkSource<Integer> source =
        ChunkSource.fromIterator(IntStream.range(0, 1_000).iterator())
            .map(
                i -> {
                  if (i == 5) {
                    Thread.currentThread().interrupt(); // as if the request were cancelled
                  }
                  return i;
                });
    CountingSource<Integer> counted = new CountingSource<>(source);
    StreamResult r = ndjson().build().writeTo(new Recording(new ManualTimeSource()), counted);
    boolean stillInterrupted = Thread.interrupted();

    assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(r.items()).isEqualTo(6);
    assertThat(r.failure()).containsInstanceOf(InterruptedException.class);
    assertThat(stillInterrupted).isTrue();
    assertThat(counted.closes).hasValue(1);
  }

  @Test
  void aSourceFailureAfterAPartBatchStillFlushesTheWholeFramesWrittenBeforeIt() {
    Iterator<Integer> failsAfterThree =
        new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Integer next() {
            if (next == 3) {
              throw new IllegalStateException("cursor lost");
            }
            return next++;
          }
        };
    FlushTracking out = new FlushTracking();
    StreamResult r =
        ndjson().flushPerBatch(100).build().writeTo(out, ChunkSource.fromIterator(failsAfterThree));

    assertThat(r.outcome()).isEqualTo(Outcome.SOURCE_FAILED);
    assertThat(r.failure().orElseThrow()).hasMessage("cursor lost");
    assertThat(out.flushed()).isEqualTo("{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  }

  @Test
  void aTotalTimeoutDuringABatchStillFlushesTheWholeFramesWrittenBeforeIt() {
    ManualTimeSource time = new ManualTimeSource();
    FlushTracking out = new FlushTracking();
    ChunkSource<Integer> steady =
        ChunkSource.fromIterator(IntStream.range(0, 100).iterator())
            .map(
                i -> {
                  time.advance(Duration.ofSeconds(1)); // always ready, one per second
                  return i;
                });
    StreamResult r =
        ndjson()
            .flushPerBatch(1_000)
            .totalTimeout(Duration.ofMillis(3_500))
            .timeSource(time)
            .build()
            .writeTo(out, steady);

    assertThat(r.outcome()).isEqualTo(Outcome.TOTAL_TIMEOUT);
    assertThat(r.items()).isEqualTo(4);
    assertThat(out.flushed()).isEqualTo(out.written()).endsWith("{\"n\":3}\n");
  }

  @Test
  void aGuardThatFailsWithSomethingOtherThanARefusalStillClosesTheSourceOnce() {
    PermitPolicy broken =
        new PermitPolicy() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public <V, X extends Exception> V call(Call<V, X> call) throws X {
            return call.call();
          }

          @Override
          public Permit acquirePermit() {
            throw new IllegalStateException("permit store unavailable");
          }
        };
    CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(3)));
    Recording out = new Recording(new ManualTimeSource());

    assertThatThrownBy(() -> ndjson().guard(broken).build().writeTo(out, source))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("permit store unavailable");
    assertThat(source.closes).hasValue(1);
    assertThat(out.text()).isEmpty();
  }

  @Test
  void aBufferedSourceRefusedByTheGuardBeforeItsFirstPollStillClosesItsUpstreamOnce() {
    FakeGuard guard = new FakeGuard();
    guard.refuse = true;
    CountingSource<Integer> upstream = new CountingSource<>(ChunkSource.of(range(3)));
    BufferedSource<Integer> buffered = upstream.buffered(4);

    assertThatThrownBy(
            () ->
                ndjson()
                    .guard(guard)
                    .build()
                    .writeTo(new Recording(new ManualTimeSource()), buffered))
        .isInstanceOf(FakeRejection.class);
    assertThat(upstream.closes).hasValue(1);
    buffered.close();
    assertThat(upstream.closes).hasValue(1);
  }

  @Test
  void aPermitThatFailsToHearTheOutcomeDoesNotTurnACompletedStreamIntoAnException() {
    AtomicInteger closes = new AtomicInteger();
    PermitPolicy buggy =
        new PermitPolicy() {
          @Override
          public String name() {
            return "buggy";
          }

          @Override
          public <V, X extends Exception> V call(Call<V, X> call) throws X {
            return call.call();
          }

          @Override
          public Permit acquirePermit() {
            return new Permit() {
              @Override
              public void onSuccess() {
                throw new IllegalStateException("metrics store unavailable");
              }

              @Override
              public void onFailure(Throwable failure) {}

              @Override
              public void close() {
                closes.incrementAndGet();
              }
            };
          }
        };
    List<StreamEvent> events = new CopyOnWriteArrayList<>();
    StreamWriter<Integer> writer = ndjson().guard(buggy).build();
    writer.subscribe(events::add);
    Recording out = new Recording(new ManualTimeSource());

    StreamResult r = writer.writeTo(out, ChunkSource.of(range(3)));

    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(r.items()).isEqualTo(3);
    assertThat(closes).hasValue(1);
    assertThat(events).last().isInstanceOf(StreamEvent.Ended.class);
  }

  /** An output stream that remembers what had been written at the last flush. */
  private static final class FlushTracking extends OutputStream {
    private final java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    private String flushed = "";

    @Override
    public void write(int b) {
      all.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      all.write(b, off, len);
    }

    @Override
    public void flush() {
      flushed = all.toString(UTF_8);
    }

    String written() {
      return all.toString(UTF_8);
    }

    String flushed() {
      return flushed;
    }
  }
}
