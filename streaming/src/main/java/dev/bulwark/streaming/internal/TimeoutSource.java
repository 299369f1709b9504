package dev.bulwark.streaming.internal;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Poll;
import dev.bulwark.streaming.StreamResult;
import dev.bulwark.streaming.StreamTimeoutException;
import java.time.Duration;

/**
 * Fails the stream when no item arrives for the idle timeout (measured from the first poll and from
 * each item), or when the total timeout has passed since the first poll.
 */
public final class TimeoutSource<T> implements ChunkSource<T> {
  private final ChunkSource<T> upstream;
  private final Duration limit;
  private final long limitNanos;
  private final boolean idle;
  private final TimeSource time;
  private final Once once = new Once();
  private boolean started;
  private long deadline;

  private TimeoutSource(ChunkSource<T> upstream, Duration limit, boolean idle, TimeSource time) {
    this.upstream = upstream;
    this.limit = limit;
    this.limitNanos = Waits.nanos(limit);
    this.idle = idle;
    this.time = time;
  }

  /** Creates an idle timeout. */
  public static <T> TimeoutSource<T> idle(ChunkSource<T> upstream, Duration d, TimeSource time) {
    return new TimeoutSource<>(upstream, d, true, time);
  }

  /** Creates a total timeout. */
  public static <T> TimeoutSource<T> total(ChunkSource<T> upstream, Duration d, TimeSource time) {
    return new TimeoutSource<>(upstream, d, false, time);
  }

  @Override
  public Poll<T> poll(Duration timeout) throws Exception {
    long now = time.nanoTime();
    if (!started) {
      started = true;
      deadline = now + limitNanos;
    }
    long left = deadline - now;
    if (left <= 0) {
      throw expired();
    }
    Poll<T> poll = upstream.poll(Waits.duration(Math.min(Waits.nanos(timeout), left)));
    if (poll instanceof Poll.Item<T> && idle) {
      deadline = time.nanoTime() + limitNanos;
    } else if (poll instanceof Poll.Empty<T> && deadline - time.nanoTime() <= 0) {
      throw expired();
    }
    return poll;
  }

  private StreamTimeoutException expired() {
    return idle
        ? new StreamTimeoutException(StreamResult.Outcome.IDLE_TIMEOUT, limit)
        : new StreamTimeoutException(StreamResult.Outcome.TOTAL_TIMEOUT, limit);
  }

  @Override
  public void close() {
    if (once.first()) {
      upstream.close();
    }
  }
}
