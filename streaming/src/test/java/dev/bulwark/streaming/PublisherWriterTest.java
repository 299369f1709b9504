package dev.bulwark.streaming;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.testing.TrackingThreads;
import dev.bulwark.streaming.StreamResult.Outcome;
import dev.bulwark.streaming.TestSupport.CountingSource;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The writer as a {@code Flow.Publisher<ByteBuffer>}, checked against the Reactive Streams rules.
 */
class PublisherWriterTest {

  private static final Duration LIMIT = Duration.ofSeconds(10);

  /** A subscriber that records everything and checks it never gets more than it requested. */
  static class Probe implements Flow.Subscriber<ByteBuffer> {
    final StringBuilder text = new StringBuilder();
    final AtomicLong requested = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicInteger overflows = new AtomicInteger();
    final CompletableFuture<Throwable> terminated = new CompletableFuture<>();
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    final CountDownLatch firstItem = new CountDownLatch(1);
    final long initial;

    Probe(long initial) {
      this.initial = initial;
    }

    void request(long n) {
      requested.addAndGet(n);
      subscription.join().request(n);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.complete(s);
      if (initial != 0) {
        request(initial);
      }
    }

    @Override
    public void onNext(ByteBuffer item) {
      if (received.incrementAndGet() > requested.get()) {
        overflows.incrementAndGet();
      }
      byte[] bytes = new byte[item.remaining()];
      item.get(bytes);
      text.append(new String(bytes, UTF_8));
      firstItem.countDown();
    }

    @Override
    public void onError(Throwable t) {
      terminated.complete(t);
    }

    @Override
    public void onComplete() {
      terminated.complete(null);
    }
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private static StreamWriter.Builder<Integer> lines() {
    return StreamWriter.builder("pub").encoder(Encoders.<Integer>lines(i -> "line " + i));
  }

  @Test
  void deliversOneFramePerRequestedItemAndNeverMore() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          TrackingThreads threads = new TrackingThreads("pub-");
          CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(50)));
          StreamPublisher publisher = lines().threadFactory(threads).build().publisher(source);
          Probe probe = new Probe(1);
          publisher.subscribe(probe);
          for (int i = 1; i < 50; i++) {
            while (probe.received.get() < i) {
              Thread.onSpinWait();
            }
            assertThat(probe.received.get()).isEqualTo(i);
            probe.request(1);
          }
          probe.request(1); // lets the end through
          assertThat(probe.terminated.get()).isNull();
          assertThat(probe.overflows).hasValue(0);
          assertThat(probe.text.toString()).startsWith("line 0\nline 1\n").endsWith("line 49\n");
          StreamResult r = publisher.result().toCompletableFuture().get();
          assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
          assertThat(r.items()).isEqualTo(50);
          assertThat(source.closes).hasValue(1);
          threads.assertAllEnded(Duration.ofSeconds(1));
        });
  }

  @Test
  void longMaxValueMeansUnboundedAndDemandSaturates() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          StreamPublisher publisher = lines().build().publisher(ChunkSource.of(range(1000)));
          Probe probe = new Probe(Long.MAX_VALUE);
          publisher.subscribe(probe);
          probe.subscription.get().request(Long.MAX_VALUE); // adds up without overflowing
          assertThat(probe.terminated.get()).isNull();
          assertThat(probe.received).hasValue(1000);
          assertThat(publisher.result().toCompletableFuture().get().items()).isEqualTo(1000);
        });
  }

  @Test
  void requestOfZeroOrLessSignalsIllegalArgument() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Channel<Integer> channel = Channel.<Integer>builder("test").build();
          CountingSource<Integer> source = new CountingSource<>(channel.asSource());
          StreamPublisher publisher = lines().build().publisher(source);
          Probe probe = new Probe(0);
          publisher.subscribe(probe);
          probe.subscription.get().request(0);
          Throwable error = probe.terminated.get();
          assertThat(error)
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessage("request(n) needs n > 0, was 0 (Reactive Streams rule 3.9)");
          StreamResult r = publisher.result().toCompletableFuture().get();
          assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
          assertThat(r.failure()).contains(error);
          assertThat(source.closes).hasValue(1);
        });
  }

  @Test
  void cancelFromManyThreadsAtOnceIsIdempotentAndClosesTheSourceOnce() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          for (int round = 0; round < 20; round++) {
            TrackingThreads threads = new TrackingThreads("pub-");
            Channel<Integer> channel = Channel.<Integer>builder("test").build();
            CountingSource<Integer> source = new CountingSource<>(channel.asSource());
            StreamPublisher publisher = lines().threadFactory(threads).build().publisher(source);
            Probe probe = new Probe(Long.MAX_VALUE);
            publisher.subscribe(probe);
            channel.send(1);
            probe.firstItem.await();
            Flow.Subscription s = probe.subscription.get();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> cancellers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
              cancellers.add(
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            try {
                              go.await();
                            } catch (InterruptedException e) {
                              return;
                            }
                            s.cancel();
                          }));
            }
            go.countDown();
            for (Thread t : cancellers) {
              t.join();
            }
            StreamResult r = publisher.result().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(source.closes).hasValue(1);
            assertThat(probe.terminated).isNotDone(); // no signal after a cancel
            threads.assertAllEnded(Duration.ofSeconds(1));
          }
        });
  }

  @Test
  void aSecondSubscriberIsRefused() throws Exception {
    StreamPublisher publisher = lines().build().publisher(ChunkSource.of(range(1)));
    Probe first = new Probe(Long.MAX_VALUE);
    publisher.subscribe(first);
    Probe second = new Probe(1);
    publisher.subscribe(second);
    assertThat(second.terminated.get(5, TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("stream 'pub' allows one subscriber and already has one");
    assertThat(first.terminated.get(5, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void aSubscriberThatRequestsNothingForTheStallTimeoutEndsTheStream() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ManualTimeSource time = new ManualTimeSource();
          CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(5)));
          StreamPublisher publisher =
              lines()
                  .writeStallTimeout(Duration.ofSeconds(20))
                  .timeSource(time)
                  .build()
                  .publisher(source);
          Probe probe = new Probe(2);
          publisher.subscribe(probe);
          time.awaitWaiters(1); // the pump waits for demand
          time.advance(Duration.ofSeconds(20));
          assertThat(probe.terminated.get()).isInstanceOf(WriteStallException.class);
          StreamResult r = publisher.result().toCompletableFuture().get();
          assertThat(r.outcome()).isEqualTo(Outcome.CLIENT_GONE);
          assertThat(r.items()).isEqualTo(2);
          assertThat(source.closes).hasValue(1);
        });
  }

  @Test
  void aFailingSourceIsSignalledAsOnError() throws Exception {
    ChunkSource<Integer> failing =
        ChunkSource.<Integer>generator(
                o -> {
                  o.emit(1);
                  throw new IllegalStateException("upstream down");
                })
            .build();
    StreamPublisher publisher = lines().build().publisher(failing);
    Probe probe = new Probe(10);
    publisher.subscribe(probe);
    assertThat(probe.terminated.get(5, TimeUnit.SECONDS)).hasMessage("upstream down");
    assertThat(probe.text.toString()).isEqualTo("line 1\n");
    assertThat(publisher.result().toCompletableFuture().get().outcome())
        .isEqualTo(Outcome.SOURCE_FAILED);
  }

  @Test
  void aSubscriberWhoseOnCompleteThrowsStillGetsTheResultCompletedAndLeavesNoThread() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          TrackingThreads threads = new TrackingThreads("pub-");
          CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(3)));
          StreamPublisher publisher = lines().threadFactory(threads).build().publisher(source);
          Probe probe =
              new Probe(10) {
                @Override
                public void onComplete() {
                  super.onComplete();
                  throw new IllegalStateException("subscriber bug in onComplete"); // breaks §2.13
                }
              };
          publisher.subscribe(probe);

          StreamResult r = publisher.result().toCompletableFuture().get();
          assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
          assertThat(r.items()).isEqualTo(3);
          assertThat(source.closes).hasValue(1);
          threads.assertAllEnded(Duration.ofSeconds(1));
        });
  }

  @Test
  void aSubscriberWhoseOnSubscribeThrowsGetsNoStreamAndTheSourceIsClosedOnce() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          TrackingThreads threads = new TrackingThreads("pub-");
          CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(3)));
          StreamPublisher publisher = lines().threadFactory(threads).build().publisher(source);
          IllegalStateException bug = new IllegalStateException("subscriber bug in onSubscribe");
          Probe probe =
              new Probe(10) {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  throw bug; // breaks §2.13
                }
              };
          publisher.subscribe(probe);

          StreamResult r = publisher.result().toCompletableFuture().get();
          assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
          assertThat(r.failure()).contains(bug);
          assertThat(r.items()).isZero();
          assertThat(source.closes).hasValue(1);
          assertThat(probe.terminated).isNotDone(); // no signal after the subscriber failed
          threads.assertAllEnded(Duration.ofSeconds(1));
        });
  }

  @Test
  void aGuardThatFailsWithSomethingOtherThanARefusalEndsThePublisherAndClosesTheSource() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
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
          TrackingThreads threads = new TrackingThreads("pub-");
          CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(3)));
          StreamPublisher publisher =
              lines().guard(broken).threadFactory(threads).build().publisher(source);
          Probe probe = new Probe(10);
          publisher.subscribe(probe);

          assertThat(probe.terminated.get())
              .isInstanceOf(IllegalStateException.class)
              .hasMessage("permit store unavailable");
          StreamResult r = publisher.result().toCompletableFuture().get();
          assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED); // as for a refusal: never started
          assertThat(r.failure().orElseThrow()).hasMessage("permit store unavailable");
          assertThat(source.closes).hasValue(1);
          threads.assertAllEnded(Duration.ofSeconds(1));
        });
  }

  @Test
  void aSubscriberWhoseOnNextThrowsIsTreatedAsCancelledAndHearsNothingMore() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          TrackingThreads threads = new TrackingThreads("pub-");
          CountingSource<Integer> source = new CountingSource<>(ChunkSource.of(range(5)));
          StreamPublisher publisher = lines().threadFactory(threads).build().publisher(source);
          IllegalStateException bug = new IllegalStateException("subscriber bug in onNext");
          Probe probe =
              new Probe(10) {
                @Override
                public void onNext(ByteBuffer item) {
                  super.onNext(item);
                  throw bug; // breaks §2.13
                }
              };
          publisher.subscribe(probe);

          StreamResult r = publisher.result().toCompletableFuture().get();
          assertThat(r.outcome()).isEqualTo(Outcome.CLIENT_GONE);
          assertThat(r.failure()).contains(bug);
          assertThat(probe.received).hasValue(1);
          assertThat(probe.terminated).isNotDone(); // §2.13: the subscription counts as cancelled
          assertThat(source.closes).hasValue(1);
          threads.assertAllEnded(Duration.ofSeconds(1));
        });
  }
}
