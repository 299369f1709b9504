package dev.bulwark.streaming;

import dev.bulwark.resilience.internal.Checks;
import java.nio.charset.StandardCharsets;

/**
 * Turns one item into one whole frame of bytes: a line, an NDJSON value, a Server-Sent Event. The
 * writer encodes an item completely before it writes any of its bytes, so an item that cannot be
 * encoded ends the stream between two frames, never inside one. {@link Encoders} has the standard
 * formats.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface Encoder<T> {

  /**
   * Encodes one item.
   *
   * @param item the item, never null
   * @return the frame's bytes; the writer does not modify them
   * @throws Exception if the item cannot be encoded; the stream then ends with {@link
   *     StreamResult.Outcome#SOURCE_FAILED} and this exception as its failure
   */
  byte[] encode(T item) throws Exception;

  /**
   * Returns the frame that keeps an idle connection alive, or an empty array if the format has
   * none. Writers send it only between frames.
   *
   * @return the heartbeat frame
   */
  default byte[] heartbeat() {
    return new byte[0];
  }

  /**
   * Returns the HTTP content type of the encoded stream.
   *
   * @return the media type, e.g. {@code "application/x-ndjson"}
   */
  default String contentType() {
    return "application/octet-stream";
  }

  /**
   * Returns an encoder like this one with another heartbeat frame.
   *
   * @param frame the heartbeat frame, as UTF-8; it must be a whole frame of the format (for lines,
   *     {@code "\n"})
   * @return the new encoder
   * @throws NullPointerException if {@code frame} is null
   */
  default Encoder<T> withHeartbeat(String frame) {
    byte[] bytes = Checks.notNull(frame, "frame").getBytes(StandardCharsets.UTF_8);
    Encoder<T> self = this;
    return new Encoder<>() {
      @Override
      public byte[] encode(T item) throws Exception {
        return self.encode(item);
      }

      @Override
      public byte[] heartbeat() {
        return bytes.clone();
      }

      @Override
      public String contentType() {
        return self.contentType();
      }
    };
  }
}
