package dev.bulwark.streaming.internal;

import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.streaming.BufferedSource;
import dev.bulwark.streaming.Channel;
import dev.bulwark.streaming.Emitter;
import dev.bulwark.streaming.Generator;
import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Producer code on its own thread, feeding a bounded {@link Channel}.
 *
 * <p><b>How it stops.</b> The consumer's {@link #close()} cancels the channel, so a blocked or
 * later {@code emit} throws {@link CancellationException}, and interrupts the producer thread (if
 * asked to), so a producer blocked in upstream I/O between two emits stops too; its {@code finally}
 * blocks run either way. The interrupt is sent under a lock and only while the producer code is
 * still running, so it can never reach the thread after the code has returned. A failure of the
 * producer code is kept and thrown to the consumer after it has drained the items emitted before
 * it, so no item is lost.
 */
public final class GeneratorSource<T> implements BufferedSource<T> {

  private final Channel<T> channel;
  private final Once once = new Once();
  private final ReentrantLock runLock = new ReentrantLock();
  private final boolean interruptOnClose;
  private final ThreadFactory threadFactory;
  private final AutoCloseable neverStarted;
  private final ContextPropagator.Snapshot context;
  private volatile Generator<T> body; // written under runLock; null once the producer started
  private Thread producer; // guarded by runLock
  private boolean running; // guarded by runLock
  private volatile Throwable failure;

  private GeneratorSource(
      Generator<T> body,
      int bufferSize,
      TimeSource time,
      ThreadFactory threadFactory,
      boolean interruptOnClose,
      AutoCloseable neverStarted,
      ContextPropagator.Snapshot context) {
    this.body = body;
    this.context = context;
    this.neverStarted = neverStarted;
    this.threadFactory = threadFactory;
    this.channel = Channel.<T>builder("generator").capacity(bufferSize).timeSource(time).build();
    this.interruptOnClose = interruptOnClose;
  }

  /**
   * Creates the source. The producer thread starts on the first {@link #poll}, so no upstream work
   * begins before the consumer is ready for it (a guard may still refuse the stream, or the
   * response headers may still be on their way); a source closed before it was polled never starts
   * its producer at all. {@code neverStarted} (may be null) is the clean-up for a source that is
   * closed before its producer started: the producer code would have released a resource it was
   * given (an upstream source in its try-with-resources), but never runs. Exactly one of the two
   * releases it. The producer code runs inside {@code context}, restored on the producer thread.
   */
  public static <T> GeneratorSource<T> create(
      Generator<T> body,
      int bufferSize,
      TimeSource time,
      ThreadFactory threadFactory,
      boolean interruptOnClose,
      AutoCloseable neverStarted,
      ContextPropagator.Snapshot context) {
    return new GeneratorSource<>(
        body, bufferSize, time, threadFactory, interruptOnClose, neverStarted, context);
  }

  /** Starts the producer thread unless it was started already or the source is closed. */
  private void startOnce() {
    runLock.lock();
    try {
      if (body == null || channel.isCancelled()) {
        return;
      }
      Generator<T> code = body;
      body = null;
      Thread thread = threadFactory.newThread(() -> produce(code));
      if (thread == null) {
        throw new IllegalStateException("threadFactory returned no thread");
      }
      producer = thread;
      running = true;
      thread.start();
    } finally {
      runLock.unlock();
    }
  }

  private void produce(Generator<T> body) {
    Emitter<T> emitter =
        new Emitter<>() {
          @Override
          public void emit(T item) throws InterruptedException {
            Checks.notNull(item, "item");
            channel.send(item);
          }

          @Override
          public boolean isCancelled() {
            return channel.isCancelled();
          }
        };
    ContextPropagator.Scope scope = null;
    try {
      scope = context.restore();
      body.generate(emitter);
    } catch (Throwable t) {
      if (!channel.isCancelled()) {
        failure = t;
      }
      if (t instanceof VirtualMachineError vme) {
        throw vme;
      }
    } finally {
      if (scope != null) {
        scope.close(); // the thread's own context is back before anything else runs on it
      }
      runLock.lock();
      try {
        running = false;
        Thread.interrupted(); // an interrupt meant for the producer code ends with it
      } finally {
        runLock.unlock();
      }
      channel.close();
    }
  }

  @Override
  public Poll<T> poll(Duration timeout) throws Exception {
    if (once.done()) {
      throw new IllegalStateException("source is closed");
    }
    if (body != null) {
      startOnce();
    }
    Poll<T> poll = channel.poll(timeout);
    if (poll instanceof Poll.End<T>) {
      Throwable f = failure;
      if (f != null) {
        throw Exceptions.rethrow(f);
      }
    }
    return poll;
  }

  @Override
  public void close() {
    if (!once.first()) {
      return;
    }
    channel.cancel();
    boolean started;
    runLock.lock();
    try {
      started = body == null; // startOnce, under this lock, sees the cancel and will not start
      body = null;
      if (interruptOnClose && running && producer != Thread.currentThread()) {
        producer.interrupt();
      }
    } finally {
      runLock.unlock();
    }
    if (!started && neverStarted != null) {
      Once.closeQuietly(neverStarted, this);
    }
  }

  @Override
  public int capacity() {
    return channel.capacity();
  }

  @Override
  public int buffered() {
    return channel.size();
  }

  @Override
  public int highWaterMark() {
    return channel.highWaterMark();
  }

  @Override
  public String toString() {
    return "ChunkSource.generator(" + channel + ")";
  }
}
