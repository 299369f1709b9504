package dev.bulwark.streaming;

import java.util.concurrent.CancellationException;

/**
 * The producer's side of a {@linkplain ChunkSource#generator(Generator) generated source}: a
 * bounded buffer that blocks the producer while it is full.
 *
 * @param <T> the item type
 */
public interface Emitter<T> {

  /**
   * Hands one item to the consumer, blocking while the buffer is full (backpressure: a slow client
   * slows the producer instead of filling the heap).
   *
   * @param item the item
   * @throws CancellationException once the consumer has gone (the stream was closed); let it
   *     propagate so that the producer's clean-up runs
   * @throws InterruptedException if the producer thread is interrupted while it waits; closing the
   *     source interrupts it
   * @throws NullPointerException if {@code item} is null
   */
  void emit(T item) throws InterruptedException;

  /**
   * Returns true once the consumer has gone; a producer that does long work between items can check
   * it to stop early.
   *
   * @return whether the source was closed by its consumer
   */
  boolean isCancelled();
}
