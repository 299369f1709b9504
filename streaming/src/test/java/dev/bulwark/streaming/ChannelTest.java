package dev.bulwark.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Test;

class ChannelTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  @Test
  void deliversItemsInOrderAndEndsAfterCloseOnceDrained() throws Exception {
    Channel<String> channel = Channel.<String>builder("test").capacity(3).build();
    channel.send("a");
    channel.send("b");
    channel.close();
    assertThat(channel.receive()).contains("a");
    assertThat(channel.receive()).contains("b");
    assertThat(channel.receive()).isEmpty();
    assertThat(channel.poll(Duration.ZERO)).isInstanceOf(Poll.End.class);
  }

  @Test
  void sendBlocksWhileFullUntilAConsumerTakesAnItem() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Channel<Integer> channel = Channel.<Integer>builder("test").capacity(2).build();
          channel.send(1);
          channel.send(2);
          CountDownLatch sent = new CountDownLatch(1);
          Thread producer =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          channel.send(3);
                          sent.countDown();
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      });
          while (producer.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
          }
          assertThat(sent.getCount()).isEqualTo(1);
          assertThat(channel.size()).isEqualTo(2);
          assertThat(channel.receive()).contains(1);
          sent.await();
          producer.join();
          assertThat(channel.highWaterMark()).isEqualTo(2);
        });
  }

  @Test
  void timedSendGivesUpWhenTheChannelStaysFullInVirtualTime() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ManualTimeSource time = new ManualTimeSource();
          Channel<Integer> channel =
              Channel.<Integer>builder("test").capacity(1).timeSource(time).build();
          assertThat(channel.send(1, Duration.ZERO)).isTrue();
          assertThat(channel.send(2, Duration.ZERO)).isFalse();
          CompletableFuture<Boolean> result = new CompletableFuture<>();
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      result.complete(channel.send(2, Duration.ofSeconds(5)));
                    } catch (Throwable t) {
                      result.completeExceptionally(t);
                    }
                  });
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(4));
          assertThat(result).isNotDone();
          time.advance(Duration.ofSeconds(1));
          assertThat(result.get()).isFalse();
          assertThat(channel.size()).isEqualTo(1);
        });
  }

  /**
   * The case ChannelLincheckTest reaches only in stress mode: a sender waiting on a full channel,
   * while the channel is closed and then drained by one item, must throw on waking, not send into
   * the closed channel. The close and the poll run inside the sender's wait, on its thread.
   */
  @Test
  void aSenderWokenAfterCloseThrowsEvenWhenThereIsRoomAgain() throws InterruptedException {
    AtomicReference<Channel<Integer>> ref = new AtomicReference<>();
    TimeSource closeAndPollDuringTheWait =
        new TimeSource() {
          @Override
          public long nanoTime() {
            return 0L;
          }

          @Override
          public void sleep(Duration duration) {}

          @Override
          public long awaitNanos(Lock lock, Condition condition, long nanos)
              throws InterruptedException {
            ref.get().close();
            assertThat(ref.get().poll(Duration.ZERO)).isEqualTo(Poll.item(1));
            return nanos;
          }
        };
    Channel<Integer> channel =
        Channel.<Integer>builder("test").capacity(1).timeSource(closeAndPollDuringTheWait).build();
    ref.set(channel);
    assertThat(channel.offer(1)).isTrue();
    assertThatThrownBy(() -> channel.send(2, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(channel.size()).isZero();
    assertThat(channel.poll(Duration.ZERO)).isEqualTo(Poll.end());
  }

  @Test
  void timedPollReportsEmptyAfterItsTimeoutInVirtualTime() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ManualTimeSource time = new ManualTimeSource();
          Channel<Integer> channel = Channel.<Integer>builder("test").timeSource(time).build();
          CompletableFuture<Poll<Integer>> result = new CompletableFuture<>();
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      result.complete(channel.poll(Duration.ofSeconds(2)));
                    } catch (Throwable t) {
                      result.completeExceptionally(t);
                    }
                  });
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(2));
          assertThat(result.get()).isInstanceOf(Poll.Empty.class);
        });
  }

  @Test
  void cancelStopsBlockedSendersAndReceiversAtOnce() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Channel<Integer> full = Channel.<Integer>builder("test").capacity(1).build();
          full.send(0);
          Channel<Integer> empty = Channel.<Integer>builder("test").capacity(1).build();
          AtomicReference<Throwable> senderSaw = new AtomicReference<>();
          AtomicReference<Throwable> receiverSaw = new AtomicReference<>();
          Thread sender =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          full.send(1);
                        } catch (Throwable t) {
                          senderSaw.set(t);
                        }
                      });
          Thread receiver =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          empty.receive();
                        } catch (Throwable t) {
                          receiverSaw.set(t);
                        }
                      });
          while (sender.getState() != Thread.State.WAITING
              || receiver.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
          }
          full.cancel();
          empty.cancel();
          sender.join();
          receiver.join();
          assertThat(senderSaw.get()).isInstanceOf(CancellationException.class);
          assertThat(receiverSaw.get()).isInstanceOf(CancellationException.class);
          assertThat(full.size()).isZero();
          assertThatThrownBy(full::receive).isInstanceOf(CancellationException.class);
          assertThatThrownBy(() -> full.send(2))
              .isInstanceOf(CancellationException.class)
              .hasMessage("channel was cancelled; the consumer has gone");
        });
  }

  @Test
  void manyProducersAndConsumersDeliverEveryItemExactlyOnce() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          int producers = 4;
          int consumers = 3;
          int perProducer = 5_000;
          Channel<Integer> channel = Channel.<Integer>builder("test").capacity(8).build();
          ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();
          List<Thread> threads = new ArrayList<>();
          List<Thread> producerThreads = new ArrayList<>();
          for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            Thread t =
                Thread.ofVirtual()
                    .start(
                        () -> {
                          try {
                            for (int i = 0; i < perProducer; i++) {
                              channel.send(base + i);
                            }
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        });
            producerThreads.add(t);
          }
          for (int c = 0; c < consumers; c++) {
            threads.add(
                Thread.ofVirtual()
                    .start(
                        () -> {
                          try {
                            Optional<Integer> item;
                            while ((item = channel.receive()).isPresent()) {
                              received.add(item.get());
                            }
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }));
          }
          for (Thread t : producerThreads) {
            t.join();
          }
          channel.close();
          for (Thread t : threads) {
            t.join();
          }
          List<Integer> sorted = new ArrayList<>(received);
          Collections.sort(sorted);
          assertThat(sorted).hasSize(producers * perProducer);
          for (int i = 0; i < sorted.size(); i++) {
            assertThat(sorted.get(i)).isEqualTo(i);
          }
          assertThat(channel.highWaterMark()).isBetween(1, 8);
        });
  }

  @Test
  void closingTheSourceViewCancelsTheChannel() throws Exception {
    Channel<String> channel = Channel.<String>builder("test").build();
    channel.send("a");
    ChunkSource<String> source = channel.asSource();
    assertThat(source.poll(Duration.ZERO)).isEqualTo(Poll.item("a"));
    source.close();
    source.close();
    assertThat(channel.isCancelled()).isTrue();
    assertThatThrownBy(() -> channel.send("b")).isInstanceOf(CancellationException.class);
  }
}
