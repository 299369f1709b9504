package dev.bulwark.streaming;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.streaming.internal.GeneratorSource;
import dev.bulwark.streaming.internal.PublisherSource;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;

/**
 * A {@link ChunkSource} that holds at most {@link #capacity()} items between a producer and the
 * consumer: a {@linkplain ChunkSource#generator(Generator) generator} or a {@linkplain
 * ChunkSource#fromPublisher(Flow.Publisher) publisher} with bounded demand. Memory does not grow
 * with the stream; {@link #highWaterMark()} shows how full the buffer ever was.
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

  /**
   * Builds a generated source; see {@link ChunkSource#generator(Generator)}.
   *
   * @param <T> the item type
   */
  final class GeneratorBuilder<T> {
    private final Generator<T> body;
    private int bufferSize = 16;
    private TimeSource timeSource = TimeSource.system();
    private ThreadFactory threadFactory;
    private boolean threadFactorySet;
    private boolean interruptOnClose = true;
    private AutoCloseable neverStarted;

    GeneratorBuilder(Generator<T> body) {
      this.body = body;
    }

    /** Closes {@code resource} if the source is closed before the producer code ever ran. */
    GeneratorBuilder<T> closeIfNeverStarted(AutoCloseable resource) {
      this.neverStarted = resource;
      return this;
    }

    /**
     * Sets how many items the buffer holds before {@code emit} blocks (default 16).
     *
     * @param bufferSize at least 1
     * @return this builder
     */
    public GeneratorBuilder<T> bufferSize(int bufferSize) {
      this.bufferSize = bufferSize;
      return this;
    }

    /**
     * Sets the time source for timed polls (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public GeneratorBuilder<T> timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Sets the factory of the producer thread (default: a new virtual thread).
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public GeneratorBuilder<T> threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      this.threadFactorySet = true;
      return this;
    }

    /**
     * Sets whether closing the source interrupts the producer thread (default true), so that a
     * producer blocked in upstream I/O between two {@code emit}s stops at once. Turn it off when
     * the producer's clean-up must not see an interrupt.
     *
     * @param interruptOnClose whether to interrupt
     * @return this builder
     */
    public GeneratorBuilder<T> interruptOnClose(boolean interruptOnClose) {
      this.interruptOnClose = interruptOnClose;
      return this;
    }

    /**
     * Validates the settings and returns the source. The producer thread starts on the first poll,
     * and from then on fills the buffer ahead of the consumer; a source closed before its first
     * poll (a stream refused by its guard) never runs the producer code.
     *
     * @return the source
     * @throws IllegalArgumentException if {@code bufferSize} is less than 1
     * @throws NullPointerException if the body or any setting given is null
     */
    public BufferedSource<T> build() {
      Checks.notNull(body, "body");
      Checks.atLeast(bufferSize, 1, "bufferSize");
      Checks.notNull(timeSource, "timeSource");
      if (threadFactorySet) {
        Checks.notNull(threadFactory, "threadFactory");
      }
      ThreadFactory factory =
          threadFactory != null
              ? threadFactory
              : Thread.ofVirtual().name("bulwark-generator-", 0).factory();
      return GeneratorSource.create(
          body, bufferSize, timeSource, factory, interruptOnClose, neverStarted);
    }
  }

  /**
   * Builds a source over a {@link Flow.Publisher}; see {@link
   * ChunkSource#fromPublisher(Flow.Publisher)}.
   *
   * @param <T> the item type
   */
  final class PublisherBuilder<T> {
    private final Flow.Publisher<? extends T> publisher;
    private int bufferSize = 16;
    private TimeSource timeSource = TimeSource.system();

    PublisherBuilder(Flow.Publisher<? extends T> publisher) {
      this.publisher = publisher;
    }

    /**
     * Sets the buffer size, which is also the most demand outstanding at once (default 16). More is
     * requested as the consumer takes items, half a buffer at a time.
     *
     * @param bufferSize at least 1
     * @return this builder
     */
    public PublisherBuilder<T> bufferSize(int bufferSize) {
      this.bufferSize = bufferSize;
      return this;
    }

    /**
     * Sets the time source for timed polls (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public PublisherBuilder<T> timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Validates the settings and subscribes to the publisher.
     *
     * @return the source
     * @throws IllegalArgumentException if {@code bufferSize} is less than 1
     * @throws NullPointerException if the publisher or the time source is null
     */
    public BufferedSource<T> build() {
      Checks.notNull(publisher, "publisher");
      Checks.atLeast(bufferSize, 1, "bufferSize");
      Checks.notNull(timeSource, "timeSource");
      return PublisherSource.subscribe(publisher, bufferSize, timeSource);
    }
  }
}
