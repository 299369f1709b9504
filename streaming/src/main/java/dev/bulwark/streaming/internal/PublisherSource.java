package dev.bulwark.streaming.internal;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.streaming.BufferedSource;
import dev.bulwark.streaming.Channel;
import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A source over a {@link Flow.Publisher} with bounded demand.
 *
 * <p><b>Demand.</b> The subscriber requests a whole buffer at first; afterwards it requests items
 * only as the consumer takes them, half a buffer at a time, so that requested-but-undelivered items
 * plus buffered items never exceed the buffer size. A publisher that sends more than was requested
 * breaks the Reactive Streams rules (§1.1); the source then cancels the subscription and fails
 * instead of growing.
 */
public final class PublisherSource<T> implements BufferedSource<T> {

  private static final Flow.Subscription CANCELLED =
      new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      };

  private final Channel<T> channel;
  private final int replenish;
  private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
  private final Once once = new Once();
  private volatile Throwable failure;
  private int taken; // consumer thread only

  private PublisherSource(int bufferSize, TimeSource time) {
    this.channel = Channel.<T>builder("publisher").capacity(bufferSize).timeSource(time).build();
    this.replenish = Math.max(1, bufferSize / 2);
  }

  /** Creates the source and subscribes it to {@code publisher}. */
  public static <T> PublisherSource<T> subscribe(
      Flow.Publisher<? extends T> publisher, int bufferSize, TimeSource time) {
    PublisherSource<T> source = new PublisherSource<>(bufferSize, time);
    publisher.subscribe(source.new Subscriber());
    return source;
  }

  private final class Subscriber implements Flow.Subscriber<T> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      if (s == null) {
        throw new NullPointerException("subscription"); // §2.13
      }
      if (!subscription.compareAndSet(null, s)) {
        s.cancel(); // §2.5: a second subscription, or we were closed already
        return;
      }
      s.request(channel.capacity());
    }

    @Override
    public void onNext(T item) {
      if (item == null) {
        fail(new NullPointerException("the publisher sent a null item")); // §2.13
        return;
      }
      boolean taken;
      try {
        taken = channel.isClosed() || channel.offer(item);
      } catch (IllegalStateException closedMeanwhile) { // CancellationException included
        return; // the consumer has gone: drop the item, never throw at the publisher (§2.13)
      }
      if (!taken) {
        fail(
            new IllegalStateException(
                "the publisher sent more items than requested (buffer of "
                    + channel.capacity()
                    + " is full); Reactive Streams rule 1.1"));
      }
    }

    @Override
    public void onError(Throwable t) {
      fail(t == null ? new NullPointerException("the publisher signalled a null error") : t);
    }

    @Override
    public void onComplete() {
      channel.close();
    }

    private void fail(Throwable t) {
      if (failure == null) {
        failure = t;
      }
      Flow.Subscription s = subscription.getAndSet(CANCELLED);
      if (s != null && s != CANCELLED) {
        s.cancel();
      }
      channel.close();
    }
  }

  @Override
  public Poll<T> poll(Duration timeout) throws Exception {
    if (once.done()) {
      throw new IllegalStateException("source is closed");
    }
    Poll<T> poll = channel.poll(timeout);
    switch (poll) {
      case Poll.Item<T> item -> {
        if (++taken >= replenish) {
          Flow.Subscription s = subscription.get();
          if (s != null && s != CANCELLED) {
            s.request(taken);
          }
          taken = 0;
        }
      }
      case Poll.End<T> end -> {
        Throwable f = failure;
        if (f != null) {
          throw Exceptions.rethrow(f);
        }
      }
      case Poll.Empty<T> empty -> {}
    }
    return poll;
  }

  @Override
  public void close() {
    if (!once.first()) {
      return;
    }
    Flow.Subscription s = subscription.getAndSet(CANCELLED);
    if (s != null && s != CANCELLED) {
      s.cancel();
    }
    channel.cancel();
  }

  @Override
  public int capacity() {
    return channel.capacity();
  }

  @Override
  public int buffered() {
    return channel.size();
  }

  @Override
  public int highWaterMark() {
    return channel.highWaterMark();
  }

  @Override
  public String toString() {
    return "ChunkSource.fromPublisher(" + channel + ")";
  }
}
