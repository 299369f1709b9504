package dev.bulwark.streaming;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.testing.TrackingThreads;
import dev.bulwark.streaming.StreamResult.Outcome;
import dev.bulwark.streaming.TestSupport.CountingSource;
import dev.bulwark.streaming.internal.DirectSource;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * The writer's per-item fast path (a {@link DirectSource} without {@code Poll.Item}s, a {@link
 * TextEncoder} encoded into one reused buffer) against the general path that every other source and
 * encoder takes: the same bytes, write calls and results, and the same failures between frames.
 */
class TextFastPathTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  /** What one stream did: the bytes, each write call, the result without its elapsed time. */
  record Run(
      String text, List<String> writes, Outcome outcome, long items, long bytes, String why) {
    static Run of(Recording out, StreamResult r) {
      return new Run(
          out.text(),
          out.writes().stream().map(Recording.Write::text).toList(),
          r.outcome(),
          r.items(),
          r.bytes(),
          r.failure().map(f -> f.getClass().getSimpleName() + ": " + f.getMessage()).orElse(""));
    }
  }

  /** The fast path: the built-in encoder over a list. */
  private static Run fast(Encoder<String> encoder, List<String> items) {
    assertThat(encoder).isInstanceOf(TextEncoder.class);
    ChunkSource<String> source = ChunkSource.of(items);
    assertThat(source).isInstanceOf(DirectSource.class);
    return run(encoder, source);
  }

  /** The general path: the same encoder behind a lambda, over a source that is not direct. */
  private static Run general(Encoder<String> encoder, List<String> items) {
    Encoder<String> opaque = encoder::encode;
    ChunkSource<String> source = new CountingSource<>(ChunkSource.of(items));
    assertThat(source).isNotInstanceOf(DirectSource.class);
    return run(opaque, source);
  }

  private static Run run(Encoder<String> encoder, ChunkSource<String> source) {
    Recording out = new Recording(new ManualTimeSource());
    StreamResult r = StreamWriter.builder("same").encoder(encoder).build().writeTo(out, source);
    return Run.of(out, r);
  }

  @Property(tries = 300)
  void theFastPathWritesTheSameBytesCallsAndResultAsTheGeneralPath(
      @ForAll @Size(max = 6)
          List<
                  @Chars({'a', '{', '}', ' ', 'é', '日', '\n', '\r', '\uD83D', '\uDE00'})
                  @StringLength(max = 8) String>
              items) {
    Encoder<String> ndjson = Encoders.ndjson(s -> s);
    Encoder<String> lines = Encoders.lines(s -> s);
    assertThat(fast(ndjson, items)).isEqualTo(general(ndjson, items));
    assertThat(fast(lines, items)).isEqualTo(general(lines, items));
  }

  @Test
  void eachFrameIsOneWriteCallEndingInItsNewline() {
    Run run = fast(Encoders.ndjson(s -> s), List.of("{\"a\":1}", "\"é\"", "[\"\uD83D\uDE00\"]"));
    assertThat(run.writes()).containsExactly("{\"a\":1}\n", "\"é\"\n", "[\"\uD83D\uDE00\"]\n");
    assertThat(run.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(run.bytes()).isEqualTo(run.text().getBytes(UTF_8).length);
  }

  @Test
  void anUnpairedSurrogateEndsTheStreamBetweenTwoFramesWithSourceFailed() {
    List<String> items = List.of("{\"n\":0}", "{\"n\":1}", "{\"s\":\"\uD800\"}", "{\"n\":3}");
    Run run = fast(Encoders.ndjson(s -> s), items);
    assertThat(run.outcome()).isEqualTo(Outcome.SOURCE_FAILED);
    assertThat(run.items()).isEqualTo(2);
    assertThat(run.text()).isEqualTo("{\"n\":0}\n{\"n\":1}\n");
    assertThat(run.bytes()).isEqualTo(16);
    assertThat(run.why())
        .isEqualTo(
            "IllegalArgumentException: NDJSON value must be well-formed UTF-16, found an unpaired"
                + " surrogate U+D800 at index 6 (UTF-8 cannot encode it)");
    assertThat(run).isEqualTo(general(Encoders.ndjson(s -> s), items));
  }

  @Test
  void aBlankANullAndALineBreakEndTheFastPathAsTheyEndTheGeneralOne() {
    Encoder<String> ndjson = Encoders.ndjson(s -> s.equals("null") ? null : s);
    for (String bad : List.of(" ", "null", "{\"a\":\r1}")) {
      List<String> items = List.of("1", "2", bad, "4");
      Run run = fast(ndjson, items);
      assertThat(run.outcome()).isEqualTo(Outcome.SOURCE_FAILED);
      assertThat(run.items()).isEqualTo(2);
      assertThat(run.text()).isEqualTo("1\n2\n");
      assertThat(run).isEqualTo(general(ndjson, items));
    }
  }

  @Test
  void linesLongerThanTheKeptBuffersAreWrittenWholeAndTheLinesAroundThemToo() {
    String huge = "é".repeat(TextFrames.KEPT_CHARS) + "\uD83D\uDE00" + "x".repeat(100);
    List<String> items = List.of("small", huge, "after", huge + "!", "end");
    Run run = fast(Encoders.lines(s -> s), items);
    assertThat(run.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(run.writes())
        .containsExactly("small\n", huge + "\n", "after\n", huge + "!\n", "end\n");
    assertThat(run).isEqualTo(general(Encoders.lines(s -> s), items));
  }

  @Test
  void theBuffersGrowWithTheLinesButALineLongerThanTheKeptOnesGetsItsOwn() {
    TextFrames frames = new TextFrames();
    byte[] kept = null;
    for (int n : new int[] {0, 1, 255, 256, 257, 600, 3, TextFrames.KEPT_CHARS, 2}) {
      String line = "日".repeat(n);
      int length = frames.encode(line, "line");
      assertThat(new String(frames.bytes(), 0, length, UTF_8)).isEqualTo(line + "\n");
      kept = frames.bytes();
    }
    String longer = "a".repeat(TextFrames.KEPT_CHARS + 1);
    int length = frames.encode(longer, "line");
    assertThat(new String(frames.bytes(), 0, length, UTF_8)).isEqualTo(longer + "\n");
    assertThat(frames.bytes()).isNotSameAs(kept);
    frames.encode("short", "line");
    assertThat(frames.bytes()).isSameAs(kept); // the long line's buffers were not kept
  }

  @Test
  void streamsOfOneWriterThatReuseItsBuffersWriteWhatAFreshWriterWrites() {
    String huge = "é".repeat(TextFrames.KEPT_CHARS) + "x";
    List<List<String>> streams =
        List.of(
            List.of("{\"a\":1}", "日".repeat(600)),
            List.of(huge, "small"),
            List.of("1", "{\"s\":\"\uD800\"}", "3"),
            List.of("after a failure", "\"\uD83D\uDE00\""),
            List.of(huge),
            List.of("short after a long line"));
    Encoder<String> ndjson = Encoders.ndjson(s -> s);
    StreamWriter<String> writer = StreamWriter.builder("reused").encoder(ndjson).build();
    for (List<String> items : streams) {
      Recording out = new Recording(new ManualTimeSource());
      Run reused = Run.of(out, writer.writeTo(out, ChunkSource.of(items)));
      assertThat(reused).isEqualTo(fast(ndjson, items)).isEqualTo(general(ndjson, items));
    }
  }

  @Test
  void withHeartbeatKeepsTheFastPathAndWritesTheNewHeartbeat() {
    Encoder<String> encoder = Encoders.<String>lines(s -> s).withHeartbeat("\n");
    assertThat(encoder).isInstanceOf(TextEncoder.class);
    assertThat(encoder.heartbeat()).containsExactly('\n');
    assertThat(encoder.contentType()).isEqualTo("text/plain; charset=utf-8");
    assertThat(encoder).hasToString("Encoders.lines()");
    assertThat(fast(encoder, List.of("a", "b")).text()).isEqualTo("a\nb\n");
  }

  @Test
  void interruptingAWriterOverAListCancelsTheStreamAndKeepsTheInterrupt() {
    List<Integer> items = IntStream.range(0, 1_000).boxed().toList();
    StreamWriter<Integer> writer =
        StreamWriter.builder("interrupted")
            .encoder(
                Encoders.<Integer>ndjson(
                    i -> {
                      if (i == 5) {
                        Thread.currentThread().interrupt(); // as if the request were cancelled
                      }
                      return Integer.toString(i);
                    }))
            .build();
    Recording out = new Recording(new ManualTimeSource());
    StreamResult r = writer.writeTo(out, ChunkSource.of(items));
    boolean stillInterrupted = Thread.interrupted();

    assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(r.items()).isEqualTo(6);
    assertThat(r.failure()).containsInstanceOf(InterruptedException.class);
    assertThat(stillInterrupted).isTrue();
    assertThat(out.text()).isEqualTo("0\n1\n2\n3\n4\n5\n");
  }

  @Test
  void aPublishersSubscriberKeepsEachFrameItsOwnAfterTheLineBufferIsReused() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          TrackingThreads threads = new TrackingThreads("keep-");
          List<String> items = List.of("{\"n\":0}", "\"long line number one\"", "2", "[3]");
          StreamPublisher publisher =
              StreamWriter.builder("keep")
                  .encoder(Encoders.<String>ndjson(s -> s))
                  .threadFactory(threads)
                  .build()
                  .publisher(ChunkSource.of(items));
          List<ByteBuffer> kept = new ArrayList<>();
          CompletableFuture<Throwable> done = new CompletableFuture<>();
          publisher.subscribe(
              new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(ByteBuffer frame) {
                  kept.add(frame); // read only after the stream has ended
                }

                @Override
                public void onError(Throwable t) {
                  done.complete(t);
                }

                @Override
                public void onComplete() {
                  done.complete(null);
                }
              });
          assertThat(done.get()).isNull();
          List<String> frames = new ArrayList<>();
          for (ByteBuffer frame : kept) {
            byte[] bytes = new byte[frame.remaining()];
            frame.get(bytes);
            frames.add(new String(bytes, UTF_8));
          }
          assertThat(frames)
              .containsExactly("{\"n\":0}\n", "\"long line number one\"\n", "2\n", "[3]\n");
          assertThat(publisher.result().toCompletableFuture().get().items()).isEqualTo(4);
          threads.assertAllEnded(Duration.ofSeconds(1));
        });
  }

  @Test
  void eachOfATextEncoderWritesTheSameBytesAsItsElementsOneByOne() throws Exception {
    Encoder<String> ndjson = Encoders.ndjson(s -> s);
    List<String> batch = List.of("{\"a\":1}", "\"é\uD83D\uDE00\"", "x".repeat(300));
    StringBuilder expected = new StringBuilder();
    for (String item : batch) {
      expected.append(new String(ndjson.encode(item), UTF_8));
    }
    assertThat(new String(Encoders.each(ndjson).encode(batch), UTF_8))
        .isEqualTo(expected.toString());
  }
}
