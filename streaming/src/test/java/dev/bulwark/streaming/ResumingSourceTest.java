package dev.bulwark.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ResumingSourceTest {

  /** A feed of numbered items that fails after a given number of items on each opening. */
  static final class FlakyFeed {
    final int size;
    final Random random;
    final List<Optional<Long>> openedAfter = new ArrayList<>();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicInteger opens = new AtomicInteger();
    final int failEvery;

    FlakyFeed(int size, long seed, int failEvery) {
      this.size = size;
      this.random = new Random(seed);
      this.failEvery = failEvery;
    }

    ChunkSource<Long> open(Optional<Long> after) {
      openedAfter.add(after);
      opens.incrementAndGet();
      long start = after.map(p -> p + 1).orElse(0L);
      int failAfter = failEvery <= 0 ? Integer.MAX_VALUE : 1 + random.nextInt(failEvery);
      return new ChunkSource<>() {
        long next = start;
        int delivered;

        @Override
        public Poll<Long> poll(Duration timeout) throws IOException {
          if (next >= size) {
            return Poll.end();
          }
          if (delivered++ == failAfter) {
            throw new IOException("connection reset at " + next);
          }
          return Poll.item(next++);
        }

        @Override
        public void close() {
          closes.incrementAndGet();
        }
      };
    }
  }

  private static List<Long> drain(ChunkSource<Long> source) throws Exception {
    List<Long> items = new ArrayList<>();
    while (source.next() instanceof Poll.Item<Long>(Long item)) {
      items.add(item);
    }
    return items;
  }

  @Property(tries = 50)
  void resumingDeliversEveryItemExactlyOnceInOrder(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 20) int failEvery) throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    FlakyFeed feed = new FlakyFeed(200, seed, failEvery);
    ResumingSource<Long, Long> source =
        ResumingSource.<Long, Long>builder(feed::open, item -> item)
            .backoff(Backoff.fixed(Duration.ofMillis(100)).build())
            .maxResumes(1)
            .timeSource(time)
            .build();
    List<Long> items = drain(source);
    source.close();
    assertThat(items).hasSize(200);
    for (int i = 0; i < items.size(); i++) {
      assertThat(items.get(i)).isEqualTo(i);
    }
    assertThat(feed.closes).hasValue(feed.opens.get()); // every upstream closed exactly once
    assertThat(source.resumes()).isEqualTo(feed.opens.get() - 1);
    assertThat(time.sleeps()).allMatch(d -> d.equals(Duration.ofMillis(100)));
    assertThat(source.position()).contains(199L);
  }

  @Test
  void reopensAfterTheLastDeliveredPositionWithBackoffDelays() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    AtomicInteger opens = new AtomicInteger();
    List<Optional<String>> after = new ArrayList<>();
    ResumingSource<String, String> source =
        ResumingSource.<String, String>builder(
                position -> {
                  after.add(position);
                  if (opens.incrementAndGet() <= 2) {
                    throw new IOException("refused");
                  }
                  return ChunkSource.of(List.of("e7", "e8"));
                },
                s -> s)
            .startAfter("e6") // e.g. the Last-Event-ID of a reconnecting SSE client
            .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)).build())
            .timeSource(time)
            .build();
    assertThat(source.next()).isEqualTo(Poll.item("e7"));
    assertThat(after).containsExactly(Optional.of("e6"), Optional.of("e6"), Optional.of("e6"));
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(source.next()).isEqualTo(Poll.item("e8"));
    assertThat(source.next()).isInstanceOf(Poll.End.class);
  }

  @Test
  void givesUpAfterTheLimitOfResumesInARowAndThrowsTheLastFailure() {
    ManualTimeSource time = new ManualTimeSource();
    AtomicInteger opens = new AtomicInteger();
    ResumingSource<String, String> source =
        ResumingSource.<String, String>builder(
                position -> {
                  throw new IOException("attempt " + opens.incrementAndGet());
                },
                s -> s)
            .maxResumes(3)
            .backoff(Backoff.fixed(Duration.ofSeconds(1)).build())
            .timeSource(time)
            .build();
    assertThatThrownBy(source::next).isInstanceOf(IOException.class).hasMessage("attempt 4");
    assertThat(source.resumes()).isEqualTo(3);
  }

  @Test
  void failuresTheTestRejectsAreNotResumed() {
    ResumingSource<String, String> source =
        ResumingSource.<String, String>builder(
                position -> {
                  throw new IllegalArgumentException("bad query");
                },
                s -> s)
            .resumeOn(e -> e instanceof IOException)
            .build();
    assertThatThrownBy(source::next).hasMessage("bad query");
    assertThat(source.resumes()).isZero();
  }

  @Test
  void whileWaitingOutABackoffItReportsEmptySoHeartbeatsGoOn() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    AtomicInteger opens = new AtomicInteger();
    ResumingSource<String, String> source =
        ResumingSource.<String, String>builder(
                position -> {
                  if (opens.incrementAndGet() == 1) {
                    throw new IOException("down");
                  }
                  return ChunkSource.of(List.of("x"));
                },
                s -> s)
            .backoff(Backoff.fixed(Duration.ofSeconds(10)).build())
            .timeSource(time)
            .build();
    assertThat(source.poll(Duration.ofSeconds(4))).isInstanceOf(Poll.Empty.class);
    assertThat(source.poll(Duration.ofSeconds(4))).isInstanceOf(Poll.Empty.class);
    assertThat(source.poll(Duration.ofSeconds(4))).isEqualTo(Poll.item("x"));
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anUpstreamWhoseCloseAlsoFailsAfterAResetIsStillResumedWithNoItemLost() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    AtomicInteger closes = new AtomicInteger();
    ResumingSource<Long, Long> source =
        ResumingSource.<Long, Long>builder(
                after -> {
                  long start = after.map(p -> p + 1).orElse(0L);
                  return new ChunkSource<>() {
                    long next = start;

                    @Override
                    public Poll<Long> poll(Duration timeout) throws IOException {
                      if (next == 5) {
                        return Poll.end();
                      }
                      if (start == 0 && next == 2) {
                        throw new IOException("connection reset");
                      }
                      return Poll.item(next++);
                    }

                    @Override
                    public void close() {
                      closes.incrementAndGet();
                      if (start == 0) {
                        // the usual companion of a reset: closing the dead connection fails too
                        throw new java.io.UncheckedIOException(new IOException("broken pipe"));
                      }
                    }
                  };
                },
                item -> item)
            .backoff(Backoff.fixed(Duration.ofMillis(100)).build())
            .timeSource(time)
            .build();

    assertThat(drain(source)).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(source.resumes()).isEqualTo(1);
    source.close();
    assertThat(closes).hasValue(2);
  }
}
