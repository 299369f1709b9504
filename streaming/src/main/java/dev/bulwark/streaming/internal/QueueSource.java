package dev.bulwark.streaming.internal;

import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** A source that takes from a blocking queue until it takes the end marker. */
public final class QueueSource<T> implements ChunkSource<T> {
  private final BlockingQueue<? extends T> queue;
  private final T endMarker;
  private boolean ended;
  private final Once once = new Once();

  /** Creates the source. */
  public QueueSource(BlockingQueue<? extends T> queue, T endMarker) {
    this.queue = queue;
    this.endMarker = endMarker;
  }

  @Override
  public Poll<T> poll(Duration timeout) throws InterruptedException {
    if (ended) {
      return Poll.end();
    }
    long nanos = Waits.nanos(timeout);
    T item = nanos == Waits.FOREVER ? queue.take() : queue.poll(nanos, TimeUnit.NANOSECONDS);
    if (item == null) {
      return Poll.empty();
    }
    if (item == endMarker) {
      ended = true;
      return Poll.end();
    }
    return Poll.item(item);
  }

  @Override
  public void close() {
    once.first();
  }

  @Override
  public String toString() {
    return "ChunkSource.fromQueue(" + queue.size() + " queued)";
  }
}
