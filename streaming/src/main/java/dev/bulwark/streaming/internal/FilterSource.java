package dev.bulwark.streaming.internal;

import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.function.Predicate;

/** Keeps the items that satisfy a predicate; skipped items use up the poll's timeout. */
public final class FilterSource<T> implements ChunkSource<T> {
  private final ChunkSource<T> upstream;
  private final Predicate<? super T> predicate;
  private final Once once = new Once();

  /** Creates the operator. */
  public FilterSource(ChunkSource<T> upstream, Predicate<? super T> predicate) {
    this.upstream = upstream;
    this.predicate = predicate;
  }

  @Override
  public Poll<T> poll(Duration timeout) throws Exception {
    // A skipped item must not extend the caller's wait, and this operator has no clock: after the
    // first poll it only takes items that are ready at once, and reports empty (which callers
    // treat as "check your own clock and poll again") when none is.
    Duration wait = timeout;
    while (true) {
      Poll<T> poll = upstream.poll(wait);
      if (!(poll instanceof Poll.Item<T>(T item)) || predicate.test(item)) {
        return poll;
      }
      wait = Duration.ZERO;
    }
  }

  @Override
  public void close() {
    if (once.first()) {
      upstream.close();
    }
  }
}
