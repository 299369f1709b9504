package dev.bulwark.streaming;

import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.streaming.internal.GeneratorSource;
import java.util.concurrent.ThreadFactory;

/**
 * Builds a generated source; see {@link ChunkSource#generator(Generator)}.
 *
 * @param <T> the item type
 */
public final class GeneratorBuilder<T> {
  private final Generator<T> body;
  private int bufferSize = 16;
  private TimeSource timeSource = TimeSource.system();
  private ThreadFactory threadFactory;
  private boolean threadFactorySet;
  private boolean interruptOnClose = true;
  private AutoCloseable neverStarted;
  private ContextPropagator contextPropagator = ContextPropagator.none();

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
   * producer blocked in upstream I/O between two {@code emit}s stops at once. Turn it off when the
   * producer's clean-up must not see an interrupt.
   *
   * @param interruptOnClose whether to interrupt
   * @return this builder
   */
  public GeneratorBuilder<T> interruptOnClose(boolean interruptOnClose) {
    this.interruptOnClose = interruptOnClose;
    return this;
  }

  /**
   * Sets what of the building thread's context (a logging MDC, a trace span, a {@link ThreadLocal})
   * the producer code sees (default {@link ContextPropagator#none()}): it is captured by {@link
   * #build()}, on the thread that builds the source (a request handler, typically), and restored on
   * the producer thread around the producer code.
   *
   * @param contextPropagator the propagator
   * @return this builder
   */
  public GeneratorBuilder<T> contextPropagator(ContextPropagator contextPropagator) {
    this.contextPropagator = contextPropagator;
    return this;
  }

  /**
   * Validates the settings and returns the source. The producer thread starts on the first poll,
   * and from then on fills the buffer ahead of the consumer; a source closed before its first poll
   * (a stream refused by its guard) never runs the producer code.
   *
   * @return the source
   * @throws IllegalArgumentException if {@code bufferSize} is less than 1
   * @throws NullPointerException if the body or any setting given is null
   */
  public BufferedSource<T> build() {
    Checks.notNull(body, "body");
    Checks.atLeast(bufferSize, 1, "bufferSize");
    Checks.notNull(timeSource, "timeSource");
    Checks.notNull(contextPropagator, "contextPropagator");
    if (threadFactorySet) {
      Checks.notNull(threadFactory, "threadFactory");
    }
    ThreadFactory factory =
        threadFactory != null
            ? threadFactory
            : Thread.ofVirtual().name("bulwark-generator-", 0).factory();
    return GeneratorSource.create(
        body,
        bufferSize,
        timeSource,
        factory,
        interruptOnClose,
        neverStarted,
        contextPropagator.capture());
  }
}
