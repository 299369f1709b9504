package dev.bulwark.streaming;

import java.util.Objects;

/**
 * What one {@link ChunkSource#poll(java.time.Duration) poll} of a source found: an item, the end of
 * the stream, or nothing yet.
 *
 * <pre>{@code
 * switch (source.poll(Duration.ofSeconds(15))) {
 *   case Poll.Item<Row>(Row row) -> write(row);
 *   case Poll.End<Row> end -> finish();
 *   case Poll.Empty<Row> empty -> writeHeartbeat();
 * }
 * }</pre>
 *
 * @param <T> the item type
 */
public sealed interface Poll<T> {

  /**
   * An item.
   *
   * @param value the item, never null
   * @param <T> the item type
   */
  record Item<T>(T value) implements Poll<T> {
    /**
     * Creates an item.
     *
     * @throws NullPointerException if {@code value} is null: sources never deliver null items
     */
    public Item {
      Objects.requireNonNull(value, "item");
    }
  }

  /**
   * The stream has ended normally; every later poll ends too.
   *
   * @param <T> the item type
   */
  record End<T>() implements Poll<T> {}

  /**
   * No item arrived within the poll's timeout; the stream goes on.
   *
   * @param <T> the item type
   */
  record Empty<T>() implements Poll<T> {}

  /**
   * Returns an item.
   *
   * @param value the item
   * @param <T> the item type
   * @return the poll result carrying {@code value}
   * @throws NullPointerException if {@code value} is null
   */
  static <T> Poll<T> item(T value) {
    return new Item<>(value);
  }

  /**
   * Returns the end of the stream.
   *
   * @param <T> the item type
   * @return the shared end marker
   */
  @SuppressWarnings("unchecked")
  static <T> Poll<T> end() {
    return (Poll<T>) Markers.END;
  }

  /**
   * Returns "nothing yet".
   *
   * @param <T> the item type
   * @return the shared empty marker
   */
  @SuppressWarnings("unchecked")
  static <T> Poll<T> empty() {
    return (Poll<T>) Markers.EMPTY;
  }
}

/** The shared instances of the item-less poll results. */
final class Markers {
  static final Poll<?> END = new Poll.End<>();
  static final Poll<?> EMPTY = new Poll.Empty<>();

  private Markers() {}
}
