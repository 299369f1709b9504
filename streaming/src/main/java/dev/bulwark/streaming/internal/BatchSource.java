package dev.bulwark.streaming.internal;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers items into lists. A batch opens with its first item and is delivered when it is full,
 * when the maximum delay since that first item has passed, or when the upstream ends. A failure of
 * the upstream is held back until the batch gathered before it has been delivered.
 */
public final class BatchSource<T> implements ChunkSource<List<T>> {
  private final ChunkSource<T> upstream;
  private final int maxItems;
  private final long maxDelayNanos;
  private final TimeSource time;
  private final Once once = new Once();
  private List<T> pending = new ArrayList<>();
  private long due;
  private boolean ended;
  private Throwable deferred;

  /** Creates the operator. */
  public BatchSource(ChunkSource<T> upstream, int maxItems, Duration maxDelay, TimeSource time) {
    this.upstream = upstream;
    this.maxItems = maxItems;
    this.maxDelayNanos = Waits.nanos(maxDelay);
    this.time = time;
  }

  @Override
  public Poll<List<T>> poll(Duration timeout) throws Exception {
    if (deferred != null) {
      Throwable f = deferred;
      deferred = null;
      ended = true;
      throw Exceptions.rethrow(f);
    }
    if (ended) {
      return pending.isEmpty() ? Poll.end() : deliver();
    }
    Waits.Timer timer = new Waits.Timer(time, Waits.nanos(timeout));
    while (true) {
      if (pending.size() >= maxItems) {
        return deliver();
      }
      long wait = timer.remaining();
      if (!pending.isEmpty()) {
        long toDue = due - time.nanoTime();
        if (toDue <= 0) {
          return deliver();
        }
        wait = Math.min(wait, toDue);
      }
      Poll<T> poll;
      try {
        poll = upstream.poll(Waits.duration(wait));
      } catch (Exception failure) {
        if (pending.isEmpty()) {
          throw failure;
        }
        deferred = failure;
        return deliver();
      }
      switch (poll) {
        case Poll.Item<T>(T item) -> {
          if (pending.isEmpty()) {
            due = time.nanoTime() + maxDelayNanos;
          }
          pending.add(item);
        }
        case Poll.End<T> end -> {
          ended = true;
          return pending.isEmpty() ? Poll.end() : deliver();
        }
        case Poll.Empty<T> empty -> {
          boolean batchDue = !pending.isEmpty() && due - time.nanoTime() <= 0;
          if (!batchDue && (timer.expired() || wait == 0)) {
            return Poll.empty();
          }
        }
      }
    }
  }

  private Poll<List<T>> deliver() {
    List<T> batch = List.copyOf(pending);
    pending = new ArrayList<>();
    return Poll.item(batch);
  }

  @Override
  public void close() {
    if (once.first()) {
      upstream.close();
    }
  }
}
