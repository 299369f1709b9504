package dev.bulwark.streaming.internal;

import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Poll;
import java.time.Duration;

/** Delivers at most a given number of items, then ends without pulling further. */
public final class TakeSource<T> implements ChunkSource<T> {
  private final ChunkSource<T> upstream;
  private long left;
  private final Once once = new Once();

  /** Creates the operator. */
  public TakeSource(ChunkSource<T> upstream, long maxItems) {
    this.upstream = upstream;
    this.left = maxItems;
  }

  @Override
  public Poll<T> poll(Duration timeout) throws Exception {
    if (left <= 0) {
      return Poll.end();
    }
    Poll<T> poll = upstream.poll(timeout);
    if (poll instanceof Poll.Item<T>) {
      left--;
    }
    return poll;
  }

  @Override
  public void close() {
    if (once.first()) {
      upstream.close();
    }
  }
}
