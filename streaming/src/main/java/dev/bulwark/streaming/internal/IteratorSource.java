package dev.bulwark.streaming.internal;

import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.Iterator;

/**
 * A source that pulls an iterator on the consumer's thread; the timeout is ignored because an
 * iterator cannot wait with a bound.
 */
public final class IteratorSource<T> implements DirectSource<T> {
  private final Iterator<? extends T> iterator;
  private final AutoCloseable onClose;
  private final Once once = new Once();

  /** Creates the source; {@code onClose} may be null. */
  public IteratorSource(Iterator<? extends T> iterator, AutoCloseable onClose) {
    this.iterator = iterator;
    this.onClose = onClose;
  }

  @Override
  public Poll<T> poll(Duration timeout) {
    T item = nextOrNull();
    return item == null ? Poll.end() : Poll.item(item);
  }

  @Override
  public T nextOrNull() {
    if (once.done()) {
      throw new IllegalStateException("source is closed");
    }
    if (!iterator.hasNext()) {
      return null;
    }
    T item = iterator.next();
    if (item == null) {
      throw new NullPointerException("the source's iterator returned a null item");
    }
    return item;
  }

  @Override
  public void close() {
    if (once.first() && onClose != null) {
      Once.closeQuietly(onClose, this);
    }
  }

  @Override
  public String toString() {
    return "ChunkSource.fromIterator(" + iterator + ")";
  }
}
