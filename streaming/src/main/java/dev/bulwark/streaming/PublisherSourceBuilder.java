package dev.bulwark.streaming;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.streaming.internal.PublisherSource;
import java.util.concurrent.Flow;

/**
 * Builds a source over a {@link Flow.Publisher}; see {@link
 * ChunkSource#fromPublisher(Flow.Publisher)}.
 *
 * @param <T> the item type
 */
public final class PublisherSourceBuilder<T> {
  private final Flow.Publisher<? extends T> publisher;
  private int bufferSize = 16;
  private TimeSource timeSource = TimeSource.system();

  PublisherSourceBuilder(Flow.Publisher<? extends T> publisher) {
    this.publisher = publisher;
  }

  /**
   * Sets the buffer size, which is also the most demand outstanding at once (default 16). More is
   * requested as the consumer takes items, half a buffer at a time.
   *
   * @param bufferSize at least 1
   * @return this builder
   */
  public PublisherSourceBuilder<T> bufferSize(int bufferSize) {
    this.bufferSize = bufferSize;
    return this;
  }

  /**
   * Sets the time source for timed polls (default {@link TimeSource#system()}).
   *
   * @param timeSource the time source
   * @return this builder
   */
  public PublisherSourceBuilder<T> timeSource(TimeSource timeSource) {
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
