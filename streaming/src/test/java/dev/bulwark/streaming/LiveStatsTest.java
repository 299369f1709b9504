package dev.bulwark.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.streaming.StreamResult.Outcome;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Live counts while streams run, and the caller's context on a generator's producer thread. */
class LiveStatsTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  @Test
  void aRunningStreamsItemsAndBytesShowInTheWritersStatsBeforeItEnds() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          StreamWriter<Integer> writer =
              StreamWriter.builder("live", Integer.class)
                  .encoder(Encoders.ndjson(i -> "{\"n\":" + i + "}"))
                  .build();
          assertThat(writer.stats()).isEqualTo(new StreamWriter.Stats(0, 0, 0, 0, 0));
          Channel<Integer> channel = Channel.<Integer>builder("items").build();
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          CompletableFuture<StreamResult> result = new CompletableFuture<>();
          Thread.ofVirtual().start(() -> result.complete(writer.writeTo(out, channel.asSource())));
          channel.send(1);
          channel.send(2);
          channel.send(3);
          while (writer.stats().items() < 3) {
            Thread.onSpinWait(); // the writer takes the items on its own thread
          }
          StreamWriter.Stats running = writer.stats();
          assertThat(running.activeStreams()).isEqualTo(1);
          assertThat(running.startedStreams()).isEqualTo(1);
          assertThat(running.items()).isEqualTo(3);
          assertThat(running.bytes()).isEqualTo(3 * "{\"n\":1}\n".length());
          assertThat(result).as("the stream still runs").isNotDone();

          channel.send(4);
          channel.close();
          StreamResult ended = result.get(5, TimeUnit.SECONDS);
          assertThat(ended.outcome()).isEqualTo(Outcome.COMPLETED);
          assertThat(writer.stats())
              .isEqualTo(new StreamWriter.Stats(0, 1, 4, ended.bytes(), ended.heartbeats()));

          writer.writeTo(new ByteArrayOutputStream(), ChunkSource.of(List.of(5, 6)));
          assertThat(writer.stats().startedStreams()).isEqualTo(2);
          assertThat(writer.stats().items()).isEqualTo(6);
        });
  }

  @Test
  void aGeneratorsProducerSeesTheContextOfTheThreadThatBuiltTheSource() throws Exception {
    ThreadLocal<String> request = new ThreadLocal<>();
    request.set("request-42");
    try {
      BufferedSource<String> carried =
          ChunkSource.<String>generator(out -> out.emit(String.valueOf(request.get())))
              .contextPropagator(ContextPropagator.threadLocal(request))
              .build();
      BufferedSource<String> plain =
          ChunkSource.<String>generator(out -> out.emit(String.valueOf(request.get()))).build();
      try (carried;
          plain) {
        assertThat(carried.next()).isEqualTo(Poll.item("request-42"));
        assertThat(plain.next()).as("the default carries nothing").isEqualTo(Poll.item("null"));
      }
    } finally {
      request.remove();
    }
  }
}
