package dev.bulwark.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ChunkSourceTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  static <T> List<T> drain(ChunkSource<T> source) throws Exception {
    List<T> items = new ArrayList<>();
    while (source.next() instanceof Poll.Item<T>(T item)) {
      items.add(item);
    }
    return items;
  }

  @Test
  void iteratorSourceDeliversItemsThenEndsAndRunsItsCleanUpOnce() throws Exception {
    AtomicInteger closes = new AtomicInteger();
    ChunkSource<String> source =
        ChunkSource.fromIterator(List.of("a", "b").iterator(), closes::incrementAndGet);
    assertThat(drain(source)).containsExactly("a", "b");
    source.close();
    source.close();
    assertThat(closes).hasValue(1);
  }

  @Test
  void aNullItemFromAnIteratorFailsWithAClearMessage() {
    List<String> withNull = new ArrayList<>();
    withNull.add("a");
    withNull.add(null);
    ChunkSource<String> source = ChunkSource.fromIterator(withNull.iterator());
    assertThatThrownBy(() -> drain(source))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("the source's iterator returned a null item");
  }

  @Test
  void streamSourceClosesTheStream() throws Exception {
    AtomicInteger closes = new AtomicInteger();
    ChunkSource<Integer> source =
        ChunkSource.fromStream(Stream.of(1, 2, 3).onClose(closes::incrementAndGet));
    assertThat(drain(source.map(i -> i * 10))).containsExactly(10, 20, 30);
    source.close();
    assertThat(closes).hasValue(1);
  }

  @Test
  void queueSourceEndsAtTheMarkerAndReportsEmptyWhenNothingIsQueued() throws Exception {
    BlockingQueue<String> queue = new ArrayBlockingQueue<>(4);
    String end = new String("end");
    ChunkSource<String> source = ChunkSource.fromQueue(queue, end);
    assertThat(source.poll(Duration.ZERO)).isInstanceOf(Poll.Empty.class);
    queue.add("x");
    queue.add(end);
    assertThat(drain(source)).containsExactly("x");
  }

  @Test
  void operatorsMapFilterAndTakeAndCloseTheUpstreamOnce() throws Exception {
    AtomicInteger closes = new AtomicInteger();
    ChunkSource<Integer> upstream =
        ChunkSource.fromIterator(Stream.iterate(1, i -> i + 1).iterator(), closes::incrementAndGet);
    ChunkSource<String> source = upstream.filter(i -> i % 2 == 0).map(i -> "#" + i).take(3);
    assertThat(drain(source)).containsExactly("#2", "#4", "#6");
    source.close();
    source.close();
    assertThat(closes).hasValue(1);
  }

  @Test
  void mapFailsTheStreamWhenTheFunctionReturnsNull() {
    ChunkSource<Object> source = ChunkSource.of(List.of(1)).map(i -> null);
    assertThatThrownBy(() -> drain(source))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("map function returned null for item 1");
  }

  @Test
  void batchDeliversFullBatchesAndTheRestAtTheEnd() throws Exception {
    ChunkSource<List<Integer>> batches =
        ChunkSource.of(List.of(1, 2, 3, 4, 5)).batch(2, Duration.ofSeconds(1));
    assertThat(drain(batches)).containsExactly(List.of(1, 2), List.of(3, 4), List.of(5));
  }

  @Test
  void batchDeliversAPartialBatchOnceItsMaxDelayHasPassedInVirtualTime() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Channel<Integer> channel = Channel.<Integer>builder("test").timeSource(time).build();
    ChunkSource<List<Integer>> batches = channel.asSource().batch(10, Duration.ofMillis(500), time);
    channel.send(1);
    channel.send(2);
    assertThat(batches.poll(Duration.ZERO)).isInstanceOf(Poll.Empty.class);
    time.advance(Duration.ofMillis(499));
    channel.send(3);
    assertThat(batches.poll(Duration.ZERO)).isInstanceOf(Poll.Empty.class);
    time.advance(Duration.ofMillis(1));
    assertThat(batches.poll(Duration.ZERO)).isEqualTo(Poll.item(List.of(1, 2, 3)));
  }

  @Test
  void batchDeliversTheItemsGatheredBeforeAFailureThenTheFailure() throws Exception {
    ChunkSource<Integer> failing =
        ChunkSource.<Integer>generator(
                out -> {
                  out.emit(1);
                  out.emit(2);
                  throw new IOException("upstream broke");
                })
            .build();
    ChunkSource<List<Integer>> batches = failing.batch(10, Duration.ofSeconds(30));
    assertThat(batches.next()).isEqualTo(Poll.item(List.of(1, 2)));
    assertThatThrownBy(batches::next).isInstanceOf(IOException.class).hasMessage("upstream broke");
  }

  @Test
  void idleTimeoutOperatorFailsWhenNoItemArrivesInVirtualTime() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Channel<Integer> channel = Channel.<Integer>builder("test").timeSource(time).build();
    ChunkSource<Integer> source =
        channel
            .asSource()
            .idleTimeout(Duration.ofSeconds(5), time)
            .totalTimeout(Duration.ofSeconds(60), time);
    channel.send(1);
    assertThat(source.poll(Duration.ZERO)).isEqualTo(Poll.item(1));
    time.advance(Duration.ofSeconds(4));
    assertThat(source.poll(Duration.ZERO)).isInstanceOf(Poll.Empty.class);
    time.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> source.poll(Duration.ZERO))
        .isInstanceOf(StreamTimeoutException.class)
        .hasMessage("no item from the source within the idle timeout of 5s")
        .extracting(e -> ((StreamTimeoutException) e).outcome())
        .isEqualTo(StreamResult.Outcome.IDLE_TIMEOUT);
  }

  @Test
  void totalTimeoutOperatorFailsOnceTheWholeStreamTookTooLong() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Channel<Integer> channel = Channel.<Integer>builder("test").timeSource(time).build();
    ChunkSource<Integer> source = channel.asSource().totalTimeout(Duration.ofSeconds(10), time);
    channel.send(1);
    assertThat(source.poll(Duration.ZERO)).isEqualTo(Poll.item(1));
    time.advance(Duration.ofSeconds(10));
    channel.send(2);
    assertThatThrownBy(() -> source.poll(Duration.ZERO))
        .isInstanceOf(StreamTimeoutException.class)
        .hasMessage("the stream did not end within its total timeout of 10s");
  }

  @Test
  void generatorDeliversEveryItemThenEnds() throws Exception {
    BufferedSource<Integer> source =
        ChunkSource.<Integer>generator(
                out -> {
                  for (int i = 0; i < 100; i++) {
                    out.emit(i);
                  }
                })
            .bufferSize(4)
            .build();
    List<Integer> items = drain(source);
    assertThat(items).hasSize(100).startsWith(0, 1, 2).endsWith(99);
    assertThat(source.highWaterMark()).isBetween(1, 4);
    source.close();
  }

  @Test
  void generatorProducerBlocksWhenTheBufferIsFullAndIsCancelledOnClose() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          AtomicLong emitted = new AtomicLong();
          AtomicReference<Throwable> emitSaw = new AtomicReference<>();
          CountDownLatch cleanedUp = new CountDownLatch(1);
          AtomicReference<Thread> producer = new AtomicReference<>();
          BufferedSource<Long> source =
              ChunkSource.<Long>generator(
                      out -> {
                        producer.set(Thread.currentThread());
                        try {
                          for (long i = 0; ; i++) {
                            out.emit(i);
                            emitted.incrementAndGet();
                          }
                        } catch (CancellationException | InterruptedException e) {
                          emitSaw.set(e);
                          throw e;
                        } finally {
                          cleanedUp.countDown();
                        }
                      })
                  .bufferSize(8)
                  .build();
          assertThat(source.next()).isEqualTo(Poll.item(0L));
          while (source.buffered() < 8 || producer.get().getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
          }
          assertThat(emitted.get()).isEqualTo(9); // one taken + eight buffered, then it waits
          assertThat(source.highWaterMark()).isEqualTo(8);
          source.close();
          cleanedUp.await();
          assertThat(producer.get().join(Duration.ofSeconds(1))).isTrue();
          assertThat(emitSaw.get())
              .isInstanceOfAny(CancellationException.class, InterruptedException.class);
          assertThatThrownBy(() -> source.poll(Duration.ZERO))
              .isInstanceOf(IllegalStateException.class)
              .hasMessage("source is closed");
        });
  }

  @Test
  void generatorFailureArrivesAfterTheItemsEmittedBeforeIt() throws Exception {
    ChunkSource<String> source =
        ChunkSource.<String>generator(
                out -> {
                  out.emit("a");
                  out.emit("b");
                  throw new IllegalStateException("database went away");
                })
            .build();
    assertThat(source.next()).isEqualTo(Poll.item("a"));
    assertThat(source.next()).isEqualTo(Poll.item("b"));
    assertThatThrownBy(source::next)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("database went away");
    source.close();
  }

  @Test
  void generatorEmittingNullFailsTheStreamWithAClearMessage() {
    ChunkSource<String> source = ChunkSource.<String>generator(out -> out.emit(null)).build();
    assertThatThrownBy(source::next).isInstanceOf(NullPointerException.class).hasMessage("item");
    source.close();
  }

  @Test
  void bufferedMovesABlockingIteratorToItsOwnThreadSoTimedPollsWork() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          BlockingQueue<String> queue = new ArrayBlockingQueue<>(4);
          AtomicInteger closes = new AtomicInteger();
          java.util.Iterator<String> blocking =
              new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                  return true;
                }

                @Override
                public String next() {
                  try {
                    return queue.take();
                  } catch (InterruptedException e) {
                    throw new CancellationException("interrupted");
                  }
                }
              };
          BufferedSource<String> source =
              ChunkSource.fromIterator(blocking, closes::incrementAndGet).buffered(2);
          assertThat(source.poll(Duration.ofMillis(1))).isInstanceOf(Poll.Empty.class);
          queue.add("x");
          assertThat(source.next()).isEqualTo(Poll.item("x"));
          source.close();
          while (closes.get() == 0) {
            Thread.onSpinWait();
          }
          assertThat(closes).hasValue(1);
        });
  }

  /** A publisher that records demand and sends what is requested, up to a total. */
  static final class CountingPublisher implements Flow.Publisher<Integer> {
    final List<Long> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger cancels = new AtomicInteger();
    final int total;
    volatile Flow.Subscriber<? super Integer> subscriber;
    int next;

    CountingPublisher(int total) {
      this.total = total;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Integer> s) {
      subscriber = s;
      s.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {
              requests.add(n);
              for (long i = 0; i < n && next < total; i++) {
                s.onNext(next++);
              }
              if (next == total) {
                s.onComplete();
              }
            }

            @Override
            public void cancel() {
              cancels.incrementAndGet();
            }
          });
    }
  }

  @Test
  void publisherSourceRequestsNoMoreThanItsBufferHolds() throws Exception {
    CountingPublisher publisher = new CountingPublisher(100);
    BufferedSource<Integer> source = ChunkSource.fromPublisher(publisher).bufferSize(8).build();
    assertThat(publisher.requests).containsExactly(8L);
    assertThat(source.buffered()).isEqualTo(8);
    List<Integer> items = drain(source);
    assertThat(items).hasSize(100);
    assertThat(source.highWaterMark()).isLessThanOrEqualTo(8);
    assertThat(publisher.requests.stream().mapToLong(Long::longValue).sum())
        .isLessThanOrEqualTo(100 + 8);
    source.close();
    assertThat(publisher.cancels).hasValue(1);
  }

  @Test
  void publisherSourceFailsWhenThePublisherSendsMoreThanRequested() {
    Flow.Publisher<Integer> rude =
        s -> {
          s.onSubscribe(
              new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
              });
          for (int i = 0; i < 5; i++) {
            s.onNext(i);
          }
        };
    ChunkSource<Integer> source = ChunkSource.fromPublisher(rude).bufferSize(2).build();
    assertThatThrownBy(() -> drain(source))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sent more items than requested");
  }

  @Test
  void publisherErrorArrivesAfterTheBufferedItems() throws Exception {
    Flow.Publisher<String> publisher =
        s -> {
          s.onSubscribe(
              new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
              });
          s.onNext("a");
          s.onError(new IOException("reset"));
        };
    ChunkSource<String> source = ChunkSource.fromPublisher(publisher).build();
    assertThat(source.next()).isEqualTo(Poll.item("a"));
    assertThatThrownBy(source::next).isInstanceOf(IOException.class).hasMessage("reset");
  }
}
