package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.streaming.Channel;
import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The page for asyncio and FastAPI developers. */
class AsyncioGuideTest {

  @Test
  void aClosedChannelReplacesTheSentinel() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          // tag::channel[]
          Channel<String> lines = Channel.<String>builder("lines").capacity(16).build();
          Thread producer =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          for (String line : List.of("a", "b", "c")) {
                            lines.send(line); // blocks while full, like await queue.put(...)
                          }
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        } finally {
                          lines.close(); // no sentinel: consumers drain, then see the end
                        }
                      });
          List<String> received = new ArrayList<>();
          for (Optional<String> line = lines.receive(); line.isPresent(); line = lines.receive()) {
            received.add(line.get());
          }
          // end::channel[]
          producer.join();
          assertThat(received).containsExactly("a", "b", "c");
        });
  }

  @Test
  void closingAGeneratedSourceRunsTheProducersFinally() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          CountDownLatch cleanedUp = new CountDownLatch(1);
          // tag::cancel[]
          ChunkSource<Integer> numbers =
              ChunkSource.<Integer>generator(
                      out -> {
                        try {
                          for (int i = 0; ; i++) {
                            out.emit(i); // throws CancellationException once the consumer left
                          }
                        } finally {
                          cleanedUp.countDown(); // like clean-up after CancelledError
                        }
                      })
                  .build();
          Poll<Integer> first = numbers.next();
          numbers.close(); // the client went away: the producer is cancelled
          // end::cancel[]
          assertThat(first).isEqualTo(new Poll.Item<>(0));
          cleanedUp.await();
        });
  }
}
