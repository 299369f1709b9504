package dev.bulwark.streaming;

import dev.bulwark.resilience.ManualTimeSource;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * Explores the interleavings of a stream's cancel racing the producer's {@code emit} and the
 * writer's close with Lincheck's model checker, which schedules the subscriber's thread, the pump
 * and the generator's producer itself and tries a different order of their lock, park and interrupt
 * steps in each invocation.
 *
 * <p>The source is a generator that drains an upstream resource the way {@link
 * ChunkSource#buffered(int)} does: the producer closes the upstream when its body ends, and a
 * generator closed before its first poll closes it instead. Once the producer runs, while the pump
 * streams to a subscriber, the subscriber cancels and closes the source itself. Whatever the order,
 * the upstream is closed exactly once, every thread ends, and the stream ends completed or
 * cancelled.
 *
 * <p>{@code -Dbulwark.stress.scale=N} multiplies the explored interleavings.
 */
class StreamCancelInterleavingTest {

  private static final int INVOCATIONS = 30 * Integer.getInteger("bulwark.stress.scale", 1);

  @Test
  void cancelRacingEmitAndTheWritersCloseClosesTheSourceExactlyOnce() {
    // bounded by the invocation count; Lincheck fails an invocation that runs past 30 s as hung
    Lincheck.runConcurrentTest(INVOCATIONS, StreamCancelInterleavingTest::cancelRacesEmitAndClose);
  }

  private static void cancelRacesEmitAndClose() {
    List<Thread> threads = new CopyOnWriteArrayList<>();
    ThreadFactory factory =
        task -> {
          Thread t = new Thread(task);
          threads.add(t);
          return t;
        };
    AtomicInteger upstreamClosed = new AtomicInteger();
    Iterator<String> items = List.of("a", "b").iterator();
    ChunkSource<String> upstream = // counts every close: no guard of its own hides a second one
        new ChunkSource<>() {
          @Override
          public Poll<String> poll(Duration timeout) {
            return items.hasNext() ? Poll.item(items.next()) : Poll.end();
          }

          @Override
          public void close() {
            upstreamClosed.incrementAndGet();
          }
        };
    ManualTimeSource time = new ManualTimeSource();
    CountDownLatch producing = new CountDownLatch(1);
    ChunkSource<String> source =
        ChunkSource.<String>generator(
                out -> {
                  try (upstream) {
                    producing.countDown();
                    while (upstream.next() instanceof Poll.Item<String>(String item)) {
                      out.emit(item);
                    }
                  }
                })
            .bufferSize(1)
            .timeSource(time)
            .threadFactory(factory)
            .closeIfNeverStarted(upstream)
            .build();
    StreamWriter<String> writer =
        StreamWriter.builder("race")
            .encoder(Encoders.<String>lines(s -> s))
            .timeSource(time)
            .threadFactory(factory)
            .build();
    StreamPublisher publisher = writer.publisher(source);
    AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    publisher.subscribe(
        new Flow.Subscriber<ByteBuffer>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(ByteBuffer item) {}

          @Override
          public void onError(Throwable failure) {}

          @Override
          public void onComplete() {}
        });
    try {
      producing.await();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    subscription.get().cancel();
    source.close(); // the subscriber's own close races the pump's

    StreamResult result = publisher.result().toCompletableFuture().join();
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError("interrupted while joining " + t, e);
      }
    }
    if (upstreamClosed.get() != 1) {
      throw new AssertionError("the upstream was closed " + upstreamClosed.get() + " times");
    }
    if (result.outcome() != StreamResult.Outcome.COMPLETED
        && result.outcome() != StreamResult.Outcome.CANCELLED) {
      throw new AssertionError("the stream ended " + result);
    }
  }
}
