package dev.bulwark.streaming;

import java.util.concurrent.Flow;

/**
 * A {@link ChunkSource} that holds at most {@link #capacity()} items between a producer and the
 * consumer: a {@linkplain ChunkSource#generator(Generator) generator} or a {@linkplain
 * ChunkSource#fromPublisher(Flow.Publisher) publisher} with bounded demand. Memory does not grow
 * with the stream; {@link #highWaterMark()} shows how full the buffer ever was. Built with {@link
 * GeneratorBuilder} or {@link PublisherSourceBuilder}, or by {@link ChunkSource#buffered(int)}.
 *
 * @param <T> the item type
 */
public interface BufferedSource<T> extends ChunkSource<T> {

  /**
   * Returns the most items the buffer holds.
   *
   * @return the configured buffer size
   */
  int capacity();

  /**
   * Returns how many items wait in the buffer now.
   *
   * @return the current number of buffered items
   */
  int buffered();

  /**
   * Returns the most items that were ever in the buffer at once; never more than {@link
   * #capacity()}.
   *
   * @return the high-water mark of the buffer
   */
  int highWaterMark();
}
