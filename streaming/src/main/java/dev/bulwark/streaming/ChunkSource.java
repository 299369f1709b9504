package dev.bulwark.streaming;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.streaming.internal.BatchSource;
import dev.bulwark.streaming.internal.FilterSource;
import dev.bulwark.streaming.internal.IteratorSource;
import dev.bulwark.streaming.internal.MapSource;
import dev.bulwark.streaming.internal.QueueSource;
import dev.bulwark.streaming.internal.TakeSource;
import dev.bulwark.streaming.internal.TimeoutSource;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A pull source of items for a stream: a database cursor, a log tail, tokens from a model, rows of
 * an export. The {@linkplain StreamWriter writer} pulls items one at a time with a bounded wait, so
 * it can write heartbeats and notice timeouts while the source is quiet, and closes the source
 * exactly once when the stream ends for any reason.
 *
 * <pre>{@code
 * ChunkSource<Row> rows = ChunkSource.generator(out -> {
 *       try (Cursor cursor = db.openCursor(query)) {   // closed when the client goes away
 *         while (cursor.hasNext()) {
 *           out.emit(cursor.next());                     // blocks while the buffer is full
 *         }
 *       }
 *     })
 *     .bufferSize(64)
 *     .build();
 * StreamResult result = writer.writeTo(response, rows.take(10_000));
 * }</pre>
 *
 * <p><b>Ways in.</b> A source with nothing to configure comes straight from its factory ({@link
 * #of}, {@link #fromIterator}, {@link #fromStream}, {@link #fromQueue}); a source that holds a
 * buffer filled by another party ({@link #generator}, with its own thread, and {@link
 * #fromPublisher}) comes from a builder ({@link GeneratorBuilder}, {@link PublisherSourceBuilder})
 * whose {@code build()} validates, as every Bulwark builder does. Operators ({@link #map}, {@link
 * #batch}, ...) wrap a source in another.
 *
 * <p>A source is used by one consumer thread at a time; {@link #close()} may be called from any
 * thread and more than once (only the first call does anything). Sources never deliver null items.
 *
 * @param <T> the item type
 */
public interface ChunkSource<T> extends AutoCloseable {

  /** A poll timeout that means "wait as long as it takes". */
  Duration WAIT_FOREVER = Duration.ofNanos(Long.MAX_VALUE);

  /**
   * Returns the next item, the end of the stream, or {@link Poll.Empty} if no item arrived within
   * {@code timeout}. A timeout of zero only looks. Sources that pull on the caller's thread from
   * something that cannot wait with a bound (an {@code Iterator}, a {@code Stream}) may block
   * longer than the timeout; move them to their own thread with {@link #buffered(int)} when
   * heartbeats or idle timeouts must work while they block. A poll may also return {@link
   * Poll.Empty} before the timeout is up (a filter that skipped an item); callers check their own
   * clock and poll again.
   *
   * @param timeout the most time to wait for an item
   * @return the item, the end, or empty
   * @throws Exception the source's own failure: the stream ends with {@link
   *     StreamResult.Outcome#SOURCE_FAILED} unless a {@linkplain ResumingSource resume} handles it
   * @throws InterruptedException if the thread is interrupted while it waits
   */
  Poll<T> poll(Duration timeout) throws Exception;

  /**
   * Returns the next item or the end of the stream, waiting as long as it takes.
   *
   * @return an {@link Poll.Item} or {@link Poll.End}, never {@link Poll.Empty}
   * @throws Exception the source's own failure
   */
  default Poll<T> next() throws Exception {
    while (true) {
      Poll<T> poll = poll(WAIT_FOREVER);
      if (!(poll instanceof Poll.Empty<T>)) {
        return poll;
      }
    }
  }

  /**
   * Releases the source: closes the cursor, cancels the subscription, stops the producer. Safe to
   * call more than once and from any thread; only the first call acts. Implementations must not
   * throw checked exceptions.
   */
  @Override
  void close();

  // ---------------------------------------------------------------------------------------------
  // sources

  /**
   * Returns a source of the given items, in order.
   *
   * @param items the items; none may be null
   * @param <T> the item type
   * @return the source
   * @throws NullPointerException if {@code items} is null
   */
  static <T> ChunkSource<T> of(List<? extends T> items) {
    return new IteratorSource<>(Checks.notNull(items, "items").iterator(), null);
  }

  /**
   * Returns a source that pulls from {@code iterator} on the consumer's thread.
   *
   * @param iterator the items; a null item fails the stream
   * @param <T> the item type
   * @return the source
   * @throws NullPointerException if {@code iterator} is null
   */
  static <T> ChunkSource<T> fromIterator(Iterator<? extends T> iterator) {
    return new IteratorSource<>(Checks.notNull(iterator, "iterator"), null);
  }

  /**
   * Returns a source that pulls from {@code iterator} on the consumer's thread and runs {@code
   * onClose} exactly once when the source is closed (a cursor, a file).
   *
   * @param iterator the items; a null item fails the stream
   * @param onClose the clean-up; an exception from it is logged
   * @param <T> the item type
   * @return the source
   * @throws NullPointerException if an argument is null
   */
  static <T> ChunkSource<T> fromIterator(Iterator<? extends T> iterator, AutoCloseable onClose) {
    return new IteratorSource<>(
        Checks.notNull(iterator, "iterator"), Checks.notNull(onClose, "onClose"));
  }

  /**
   * Returns a source that pulls from {@code stream} on the consumer's thread and closes the stream
   * (running its {@code onClose} handlers) when the source is closed.
   *
   * @param stream the items; a null item fails the stream
   * @param <T> the item type
   * @return the source
   * @throws NullPointerException if {@code stream} is null
   */
  static <T> ChunkSource<T> fromStream(Stream<? extends T> stream) {
    Checks.notNull(stream, "stream");
    return new IteratorSource<>(stream.iterator(), stream::close);
  }

  /**
   * Returns a source that takes items from {@code queue} until it takes {@code endMarker} (compared
   * by identity). Timed polls use the queue's own timed {@code poll}, so they wait in real time,
   * not in a {@code TimeSource}'s.
   *
   * @param queue the queue another thread fills
   * @param endMarker the item that ends the stream; it is not delivered
   * @param <T> the item type
   * @return the source
   * @throws NullPointerException if an argument is null
   */
  static <T> ChunkSource<T> fromQueue(BlockingQueue<? extends T> queue, T endMarker) {
    return new QueueSource<>(
        Checks.notNull(queue, "queue"), Checks.notNull(endMarker, "endMarker"));
  }

  /**
   * Starts building a source whose items come from producer code running on its own (virtual)
   * thread, through a bounded buffer; see {@link Generator}.
   *
   * @param body the producer code
   * @param <T> the item type
   * @return a builder for the source; its {@code build()} refuses a null {@code body}
   */
  static <T> GeneratorBuilder<T> generator(Generator<T> body) {
    return new GeneratorBuilder<>(body);
  }

  /**
   * Starts building a source that subscribes to {@code publisher} with bounded demand: it requests
   * at most as many items as its buffer holds, and more only as the consumer takes them.
   *
   * @param publisher the publisher
   * @param <T> the item type
   * @return a builder for the source; its {@code build()} refuses a null {@code publisher}
   */
  static <T> PublisherSourceBuilder<T> fromPublisher(Flow.Publisher<? extends T> publisher) {
    return new PublisherSourceBuilder<>(publisher);
  }

  // ---------------------------------------------------------------------------------------------
  // operators

  /**
   * Returns a source of {@code mapper} applied to each item. An exception from {@code mapper}, or a
   * null result, fails the stream.
   *
   * @param mapper the function
   * @param <R> the new item type
   * @return the mapped source; closing it closes this one
   * @throws NullPointerException if {@code mapper} is null
   */
  default <R> ChunkSource<R> map(Function<? super T, ? extends R> mapper) {
    return new MapSource<>(this, Checks.notNull(mapper, "mapper"));
  }

  /**
   * Returns a source of the items that satisfy {@code predicate}. Skipped items do not extend the
   * poll's timeout.
   *
   * @param predicate which items to keep
   * @return the filtered source; closing it closes this one
   * @throws NullPointerException if {@code predicate} is null
   */
  default ChunkSource<T> filter(Predicate<? super T> predicate) {
    return new FilterSource<>(this, Checks.notNull(predicate, "predicate"));
  }

  /**
   * Returns a source of at most {@code maxItems} items of this one; it ends after the last one
   * without pulling further.
   *
   * @param maxItems how many items to deliver, zero or more
   * @return the limited source; closing it closes this one
   * @throws IllegalArgumentException if {@code maxItems} is negative
   */
  default ChunkSource<T> take(long maxItems) {
    return new TakeSource<>(this, Checks.atLeast(maxItems, 0L, "maxItems"));
  }

  /**
   * Returns a source of lists of up to {@code maxItems} items: a batch is delivered when it is
   * full, when {@code maxDelay} has passed since its first item arrived, or when this source ends.
   * A failure of this source is delivered after the batch gathered before it, so no item is lost.
   *
   * @param maxItems the largest batch, at least 1
   * @param maxDelay how long the first item of a batch may wait for more, positive
   * @param time the time source that measures the delay
   * @return the batching source; closing it closes this one
   * @throws IllegalArgumentException if {@code maxItems} is less than 1 or {@code maxDelay} is not
   *     positive
   * @throws NullPointerException if an argument is null
   */
  default ChunkSource<List<T>> batch(int maxItems, Duration maxDelay, TimeSource time) {
    return new BatchSource<>(
        this,
        Checks.atLeast(maxItems, 1, "maxItems"),
        Checks.positive(maxDelay, "maxDelay"),
        Checks.notNull(time, "timeSource"));
  }

  /**
   * Returns {@link #batch(int, Duration, TimeSource)} measured with the system time source.
   *
   * @param maxItems the largest batch, at least 1
   * @param maxDelay how long the first item of a batch may wait for more, positive
   * @return the batching source; closing it closes this one
   * @throws IllegalArgumentException if {@code maxItems} is less than 1 or {@code maxDelay} is not
   *     positive
   * @throws NullPointerException if {@code maxDelay} is null
   */
  default ChunkSource<List<T>> batch(int maxItems, Duration maxDelay) {
    return batch(maxItems, maxDelay, TimeSource.system());
  }

  /**
   * Returns a source that fails with a {@link StreamTimeoutException} (outcome {@link
   * StreamResult.Outcome#IDLE_TIMEOUT}) when no item arrives for {@code idleTimeout}, counted from
   * the first poll and from each item. The writer offers the same as a setting; use this operator
   * when the timeout belongs to one part of a pipeline (before a {@link #batch batch}).
   *
   * @param idleTimeout the longest gap between items, positive
   * @param time the time source
   * @return the guarded source; closing it closes this one
   * @throws IllegalArgumentException if {@code idleTimeout} is not positive
   * @throws NullPointerException if an argument is null
   */
  default ChunkSource<T> idleTimeout(Duration idleTimeout, TimeSource time) {
    return TimeoutSource.idle(
        this, Checks.positive(idleTimeout, "idleTimeout"), Checks.notNull(time, "timeSource"));
  }

  /**
   * Returns a source that fails with a {@link StreamTimeoutException} (outcome {@link
   * StreamResult.Outcome#TOTAL_TIMEOUT}) once {@code totalTimeout} has passed since the first poll.
   *
   * @param totalTimeout the longest the whole stream may take, positive
   * @param time the time source
   * @return the guarded source; closing it closes this one
   * @throws IllegalArgumentException if {@code totalTimeout} is not positive
   * @throws NullPointerException if an argument is null
   */
  default ChunkSource<T> totalTimeout(Duration totalTimeout, TimeSource time) {
    return TimeoutSource.total(
        this, Checks.positive(totalTimeout, "totalTimeout"), Checks.notNull(time, "timeSource"));
  }

  /**
   * Returns a source that pulls this one on its own virtual thread into a buffer of {@code
   * bufferSize} items, so that polls with a timeout work even when this source blocks without a
   * bound (an iterator over a socket). The thread starts on the first poll. Closing the returned
   * source stops that thread (interrupting it) and closes this source on it, or, if it was never
   * polled, closes this source at once.
   *
   * @param bufferSize how many items may wait in the buffer, at least 1
   * @return the buffered source
   * @throws IllegalArgumentException if {@code bufferSize} is less than 1
   */
  default BufferedSource<T> buffered(int bufferSize) {
    ChunkSource<T> upstream = this;
    return ChunkSource.<T>generator(
            out -> {
              try (upstream) {
                while (true) {
                  if (!(upstream.next() instanceof Poll.Item<T>(T item))) {
                    return;
                  }
                  out.emit(item);
                }
              }
            })
        .bufferSize(bufferSize)
        .closeIfNeverStarted(upstream) // closed before its first poll: the body never runs
        .build();
  }
}
