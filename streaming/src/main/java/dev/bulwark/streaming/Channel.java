package dev.bulwark.streaming;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.streaming.internal.Waits;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded channel between the stages of a pipeline: any number of producers {@link #send send},
 * any number of consumers {@link #receive receive}, and a full channel blocks its producers.
 *
 * <pre>{@code
 * Channel<Row> rows = Channel.<Row>builder("rows").capacity(64).build();
 * Thread.ofVirtual().start(() -> {
 *   try {
 *     for (Row r : db.query(sql)) rows.send(r);   // blocks while 64 rows wait
 *     rows.close();                               // consumers drain, then see the end
 *   } catch (InterruptedException | CancellationException stop) {
 *     // the consumer cancelled
 *   }
 * });
 * writer.writeTo(out, rows.asSource());          // closing the source cancels the channel
 * }</pre>
 *
 * <p>{@link #close()} is the producers' "no more items": consumers still receive what is buffered,
 * then the end. {@link #cancel()} stops both sides at once: buffered items are dropped, blocked
 * senders and receivers throw {@link CancellationException}.
 *
 * <p><b>Design.</b> One {@link ReentrantLock} with two conditions (not full, not empty), as in
 * {@code ArrayBlockingQueue}, because several producers and consumers must see one consistent state
 * (items, closed, cancelled). Every timed wait goes through the {@link TimeSource}, so tests run in
 * virtual time; a thread re-checks the state before it looks at its timeout, so a signal is never
 * lost to a wait that timed out at the same moment.
 *
 * @param <T> the item type
 */
public final class Channel<T> {

  /**
   * A channel's configuration, as built.
   *
   * @param name the channel's name, in messages
   * @param capacity the most items it holds before {@code send} blocks
   */
  public record Config(String name, int capacity) {}

  private final Config config;
  private final int capacity;
  private final TimeSource time;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<T> items;
  private boolean closed;
  private boolean cancelled;
  private int highWaterMark;

  private Channel(Builder<T> builder) {
    this.config = new Config(builder.name, builder.capacity);
    this.capacity = builder.capacity;
    this.time = builder.timeSource;
    this.items = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  /**
   * Starts building a channel (capacity 16, system time), named like every Bulwark builder.
   *
   * @param name the channel's name, in messages
   * @param <T> the item type
   * @return a builder; {@link Builder#build()} validates every setting, the name included
   */
  public static <T> Builder<T> builder(String name) {
    return new Builder<>(name);
  }

  /**
   * Returns this channel's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Hands {@code item} to the consumers, blocking while the channel is full.
   *
   * @param item the item
   * @throws InterruptedException if the thread is interrupted while it waits
   * @throws IllegalStateException if the channel is closed
   * @throws CancellationException if the channel is or gets cancelled
   * @throws NullPointerException if {@code item} is null
   */
  public void send(T item) throws InterruptedException {
    send(item, ChunkSource.WAIT_FOREVER);
  }

  /**
   * Hands {@code item} to the consumers, waiting at most {@code timeout} for room.
   *
   * @param item the item
   * @param timeout the most time to wait; zero does not wait
   * @return true if the item was sent, false if the channel stayed full for the whole timeout
   * @throws InterruptedException if the thread is interrupted while it waits
   * @throws IllegalStateException if the channel is closed
   * @throws CancellationException if the channel is or gets cancelled
   * @throws NullPointerException if an argument is null
   */
  public boolean send(T item, Duration timeout) throws InterruptedException {
    Checks.notNull(item, "item");
    long nanos = Waits.nanos(Checks.notNull(timeout, "timeout"));
    lock.lockInterruptibly();
    try {
      while (true) {
        checkSendable();
        if (items.size() < capacity) {
          enqueue(item);
          return true;
        }
        if (nanos <= 0) {
          return false;
        }
        nanos = Waits.await(time, lock, notFull, nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands {@code item} to the consumers if there is room now.
   *
   * @param item the item
   * @return true if the item was sent, false if the channel is full
   * @throws IllegalStateException if the channel is closed
   * @throws CancellationException if the channel is cancelled
   * @throws NullPointerException if {@code item} is null
   */
  public boolean offer(T item) {
    Checks.notNull(item, "item");
    lock.lock();
    try {
      checkSendable();
      if (items.size() < capacity) {
        enqueue(item);
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next item, blocking while the channel is empty and open.
   *
   * @return the item, or empty once the channel is closed and drained
   * @throws InterruptedException if the thread is interrupted while it waits
   * @throws CancellationException if the channel is or gets cancelled
   */
  public Optional<T> receive() throws InterruptedException {
    return switch (poll(ChunkSource.WAIT_FOREVER)) {
      case Poll.Item<T>(T item) -> Optional.of(item);
      case Poll.End<T> end -> Optional.empty();
      case Poll.Empty<T> empty -> throw new AssertionError("an unbounded poll returned empty");
    };
  }

  /**
   * Takes the next item, waiting at most {@code timeout}.
   *
   * @param timeout the most time to wait; zero does not wait
   * @return the item, {@link Poll.End} once the channel is closed and drained, or {@link
   *     Poll.Empty} if nothing arrived in time
   * @throws InterruptedException if the thread is interrupted while it waits
   * @throws CancellationException if the channel is or gets cancelled
   * @throws NullPointerException if {@code timeout} is null
   */
  public Poll<T> poll(Duration timeout) throws InterruptedException {
    long nanos = Waits.nanos(Checks.notNull(timeout, "timeout"));
    lock.lockInterruptibly();
    try {
      while (true) {
        if (cancelled) {
          throw new CancellationException("channel was cancelled");
        }
        T item = items.poll();
        if (item != null) {
          notFull.signal();
          return Poll.item(item);
        }
        if (closed) {
          return Poll.end();
        }
        if (nanos <= 0) {
          return Poll.empty();
        }
        nanos = Waits.await(time, lock, notEmpty, nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the channel for sending: consumers receive what is buffered, then the end. Does nothing
   * if the channel is already closed or cancelled.
   */
  public void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Cancels the channel: buffered items are dropped and every blocked or later {@code send}, {@code
   * receive} and {@code poll} throws {@link CancellationException}. Idempotent.
   */
  public void cancel() {
    lock.lock();
    try {
      cancelled = true;
      closed = true;
      items.clear();
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns true once {@link #close()} or {@link #cancel()} was called.
   *
   * @return whether sending has ended
   */
  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns true once {@link #cancel()} was called.
   *
   * @return whether the channel was cancelled
   */
  public boolean isCancelled() {
    lock.lock();
    try {
      return cancelled;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns how many items wait in the channel.
   *
   * @return the number of buffered items
   */
  public int size() {
    lock.lock();
    try {
      return items.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the most items the channel holds.
   *
   * @return the capacity
   */
  public int capacity() {
    return capacity;
  }

  /**
   * Returns the most items that ever waited in the channel at once; never above {@link
   * #capacity()}.
   *
   * @return the high-water mark
   */
  public int highWaterMark() {
    lock.lock();
    try {
      return highWaterMark;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns a view of the receiving side as a {@link ChunkSource}; closing the view cancels the
   * channel, so that producers stop when the stream's consumer has gone.
   *
   * @return the source view
   */
  public ChunkSource<T> asSource() {
    AtomicBoolean once = new AtomicBoolean();
    return new ChunkSource<>() {
      @Override
      public Poll<T> poll(Duration timeout) throws InterruptedException {
        return Channel.this.poll(timeout);
      }

      @Override
      public void close() {
        if (once.compareAndSet(false, true)) {
          cancel();
        }
      }

      @Override
      public String toString() {
        return "ChunkSource[" + Channel.this + "]";
      }
    };
  }

  private void checkSendable() {
    if (cancelled) {
      throw new CancellationException("channel was cancelled; the consumer has gone");
    }
    if (closed) {
      throw new IllegalStateException("channel is closed; no item can be sent after close()");
    }
  }

  private void enqueue(T item) {
    items.add(item);
    if (items.size() > highWaterMark) {
      highWaterMark = items.size();
    }
    notEmpty.signal();
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "Channel["
          + config.name()
          + ", "
          + items.size()
          + "/"
          + capacity
          + (closed ? ", closed" : "")
          + "]";
    } finally {
      lock.unlock();
    }
  }

  /**
   * Builds a {@link Channel}.
   *
   * @param <T> the item type
   */
  public static final class Builder<T> {
    private final String name;
    private int capacity = 16;
    private TimeSource timeSource = TimeSource.system();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets how many items the channel holds before {@code send} blocks (default 16).
     *
     * @param capacity at least 1
     * @return this builder
     */
    public Builder<T> capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    /**
     * Sets the time source for timed waits (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder<T> timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Validates the settings and builds the channel.
     *
     * @return a new, open channel
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     * @throws NullPointerException if the name or the time source is null
     */
    public Channel<T> build() {
      Checks.notNull(name, "name");
      Checks.atLeast(capacity, 1, "capacity");
      Checks.notNull(timeSource, "timeSource");
      return new Channel<>(this);
    }
  }
}
