package dev.bulwark.streaming;

import dev.bulwark.resilience.internal.Checks;
import java.nio.charset.StandardCharsets;

/**
 * The encoder of the one-line text formats ({@link Encoders#lines()}, {@link Encoders#ndjson}): the
 * item's text, checked by {@link TextFrames}, and {@code '\n'}. Writers recognise it when they are
 * built and encode its text into a buffer they reuse for every item ({@link TextFrames}), so the
 * hot path allocates no frame; {@link #encode} produces the same bytes in a new array.
 *
 * @param <T> the item type
 */
final class TextEncoder<T> implements Encoder<T> {

  /** The item's text, or an exception for an item the format cannot hold. */
  @FunctionalInterface
  interface Text<T> {
    String of(T item) throws Exception;
  }

  private final Text<? super T> text;
  private final String what;
  private final byte[] heartbeat;
  private final String contentType;
  private final String name;

  TextEncoder(
      Text<? super T> text, String what, byte[] heartbeat, String contentType, String name) {
    this.text = text;
    this.what = what;
    this.heartbeat = heartbeat;
    this.contentType = contentType;
    this.name = name;
  }

  /** Returns the item's text, not yet checked for line breaks and surrogates. */
  String text(T item) throws Exception {
    return text.of(item);
  }

  /** Returns what a text is, for messages: {@code "line"}, {@code "NDJSON value"}. */
  String what() {
    return what;
  }

  @Override
  public byte[] encode(T item) throws Exception {
    return TextFrames.encodeOnce(text(item), what);
  }

  @Override
  public byte[] heartbeat() {
    return heartbeat.clone();
  }

  @Override
  public String contentType() {
    return contentType;
  }

  /** Keeps the writers' fast path: the result is a text encoder too. */
  @Override
  public Encoder<T> withHeartbeat(String frame) {
    byte[] bytes = Checks.notNull(frame, "frame").getBytes(StandardCharsets.UTF_8);
    return new TextEncoder<>(text, what, bytes, contentType, name);
  }

  @Override
  public String toString() {
    return name;
  }
}
