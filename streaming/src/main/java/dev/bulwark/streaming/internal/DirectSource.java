package dev.bulwark.streaming.internal;

import dev.bulwark.streaming.ChunkSource;

/**
 * A source that never waits and never comes back empty (an iterator), and so can hand the writer
 * its items as they are: the writer's loop takes them through {@link #nextOrNull()} instead of
 * {@link ChunkSource#poll}, which saves a {@code Poll.Item} per item. Both methods must deliver the
 * same sequence; a source implements this only when they do.
 *
 * @param <T> the item type
 */
public interface DirectSource<T> extends ChunkSource<T> {

  /**
   * Returns the next item, or null once the stream has ended; the same as {@code poll}, without the
   * wrapper.
   *
   * @return the item, or null at the end
   * @throws Exception the source's own failure, as {@code poll} would throw it
   */
  T nextOrNull() throws Exception;
}
