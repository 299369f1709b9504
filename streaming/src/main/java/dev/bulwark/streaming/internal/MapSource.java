package dev.bulwark.streaming.internal;

import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.function.Function;

/** Applies a function to each item. */
public final class MapSource<T, R> implements ChunkSource<R> {
  private final ChunkSource<T> upstream;
  private final Function<? super T, ? extends R> mapper;
  private final Once once = new Once();

  /** Creates the operator. */
  public MapSource(ChunkSource<T> upstream, Function<? super T, ? extends R> mapper) {
    this.upstream = upstream;
    this.mapper = mapper;
  }

  @Override
  public Poll<R> poll(Duration timeout) throws Exception {
    return switch (upstream.poll(timeout)) {
      case Poll.Item<T>(T item) -> {
        R mapped = mapper.apply(item);
        if (mapped == null) {
          throw new NullPointerException("map function returned null for item " + item);
        }
        yield Poll.item(mapped);
      }
      case Poll.End<T> end -> Poll.end();
      case Poll.Empty<T> empty -> Poll.empty();
    };
  }

  @Override
  public void close() {
    if (once.first()) {
      upstream.close();
    }
  }
}
