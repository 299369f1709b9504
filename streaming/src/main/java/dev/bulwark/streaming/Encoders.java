package dev.bulwark.streaming;

import dev.bulwark.resilience.internal.Checks;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * The standard frame formats: text lines, NDJSON, Server-Sent Events, raw bytes.
 *
 * <pre>{@code
 * Encoder<Row> ndjson = Encoders.ndjson(row -> mapper.writeValueAsString(row));
 * Encoder<Quote> sse = Encoders.sse(q -> SseEvent.of(json(q)).withId(q.seq()).withEvent("quote"));
 * }</pre>
 *
 * <p>Every encoder refuses an item that would break the format (a line break inside a line or an
 * NDJSON value, CR or LF in an SSE id) with an {@link IllegalArgumentException} that says where:
 * the stream then ends after the last whole frame, with outcome {@link
 * StreamResult.Outcome#SOURCE_FAILED}. A line, an NDJSON value or a Server-Sent Event's data, id or
 * event name with an unpaired surrogate (half of a UTF-16 pair, which UTF-8 cannot encode) is
 * refused the same way, with its index, rather than written as {@code '?'}.
 *
 * <p>Writers recognise {@link #lines()} and {@link #ndjson} (with or without {@link
 * Encoder#withHeartbeat}) and encode their text straight into a buffer they reuse, so these formats
 * cost no allocation per item; the bytes are those {@link Encoder#encode} returns.
 */
public final class Encoders {

  private static final byte[] NEWLINE = {'\n'};

  private Encoders() {}

  /**
   * Returns an encoder of text lines: the text in UTF-8 and {@code "\n"}. A text with CR, LF or an
   * unpaired surrogate is refused. It has no heartbeat; give it one with {@link
   * Encoder#withHeartbeat(String)} if empty lines mean nothing to the client. Content type {@code
   * text/plain; charset=utf-8}.
   *
   * @return the encoder
   */
  public static Encoder<CharSequence> lines() {
    return lines(Function.identity());
  }

  /**
   * Returns an encoder of one text line per item.
   *
   * @param text the item's line, without a line break
   * @param <T> the item type
   * @return the encoder
   * @throws NullPointerException if {@code text} is null
   */
  public static <T> Encoder<T> lines(Function<? super T, ? extends CharSequence> text) {
    Checks.notNull(text, "text");
    return new TextEncoder<>(
        item -> {
          CharSequence line = text.apply(item);
          if (line == null) {
            throw new NullPointerException("line function returned null for an item");
          }
          return line.toString();
        },
        "line",
        new byte[0],
        "text/plain; charset=utf-8",
        "Encoders.lines()");
  }

  /**
   * Returns an encoder of newline-delimited JSON: one JSON text per line, UTF-8, {@code
   * application/x-ndjson}. The JSON function is the application's (Jackson, Gson, hand-written); a
   * result with a raw line break (not valid single-line JSON) or an unpaired surrogate is refused,
   * and so is an empty or blank result, which a reader would skip like the heartbeat. The heartbeat
   * is an empty line, which NDJSON readers skip.
   *
   * @param json the item's JSON text
   * @param <T> the item type
   * @return the encoder
   * @throws NullPointerException if {@code json} is null
   */
  public static <T> Encoder<T> ndjson(ThrowingFunction<? super T, String> json) {
    Checks.notNull(json, "json");
    return new TextEncoder<>(
        item -> {
          String value = json.apply(item);
          if (value == null) {
            throw new NullPointerException("json function returned null for an item");
          }
          if (value.isBlank()) {
            throw new IllegalArgumentException(
                "NDJSON value must be a JSON text, was "
                    + (value.isEmpty() ? "empty" : SseEvent.quote(value))
                    + " (an empty line reads as a heartbeat, so the item would be lost)");
          }
          return value;
        },
        "NDJSON value",
        NEWLINE,
        "application/x-ndjson",
        "Encoders.ndjson()");
  }

  /**
   * Returns an encoder of Server-Sent Events ({@code text/event-stream}, UTF-8): optional {@code
   * event:}, {@code id:} and {@code retry:} fields, one {@code data:} field per line of data, and a
   * blank line. The heartbeat is a comment line ({@code ": heartbeat"}), which clients ignore.
   *
   * @return the encoder
   */
  public static Encoder<SseEvent> sse() {
    return sse(Function.identity());
  }

  /**
   * Returns an encoder of Server-Sent Events made from each item by {@code event}.
   *
   * @param event the item's event
   * @param <T> the item type
   * @return the encoder
   * @throws NullPointerException if {@code event} is null
   */
  public static <T> Encoder<T> sse(Function<? super T, SseEvent> event) {
    Checks.notNull(event, "event");
    return new Encoder<>() {
      @Override
      public byte[] encode(T item) {
        SseEvent e = event.apply(item);
        if (e == null) {
          throw new NullPointerException("event function returned null for an item");
        }
        return encodeSse(e);
      }

      @Override
      public byte[] heartbeat() {
        return ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public String contentType() {
        return "text/event-stream";
      }

      @Override
      public String toString() {
        return "Encoders.sse()";
      }
    };
  }

  /**
   * Returns an encoder that writes byte arrays as they are ({@code application/octet-stream}); it
   * has no heartbeat.
   *
   * @return the encoder
   */
  public static Encoder<byte[]> bytes() {
    return new Encoder<>() {
      @Override
      public byte[] encode(byte[] item) {
        return item;
      }

      @Override
      public String toString() {
        return "Encoders.bytes()";
      }
    };
  }

  /**
   * Returns an encoder of lists (the output of {@link ChunkSource#batch batch}) that encodes each
   * element with {@code element} and writes them as one frame, so a batch is written and flushed at
   * once.
   *
   * @param element the encoder of one element
   * @param <T> the element type
   * @return the encoder; its heartbeat and content type are the element encoder's
   * @throws NullPointerException if {@code element} is null
   */
  public static <T> Encoder<List<T>> each(Encoder<? super T> element) {
    Checks.notNull(element, "element");
    TextEncoder<? super T> text = element instanceof TextEncoder<? super T> t ? t : null;
    return new Encoder<>() {
      @Override
      public byte[] encode(List<T> items) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (text != null) {
          // one reused line buffer for the whole batch instead of one per element
          TextFrames frames = new TextFrames();
          for (T item : items) {
            int length = frames.encode(text.text(item), text.what());
            out.write(frames.bytes(), 0, length);
          }
          return out.toByteArray();
        }
        for (T item : items) {
          out.writeBytes(element.encode(item));
        }
        return out.toByteArray();
      }

      @Override
      public byte[] heartbeat() {
        return element.heartbeat();
      }

      @Override
      public String contentType() {
        return element.contentType();
      }
    };
  }

  /**
   * A function that may throw a checked exception, such as Jackson's {@code writeValueAsString}.
   *
   * @param <T> the argument type
   * @param <R> the result type
   */
  @FunctionalInterface
  public interface ThrowingFunction<T, R> {
    /**
     * Applies the function.
     *
     * @param value the argument
     * @return the result
     * @throws Exception if the function fails
     */
    R apply(T value) throws Exception;
  }

  static byte[] encodeSse(SseEvent e) {
    // every field was checked when the event was made: an SseEvent is always writable
    StringBuilder sb = new StringBuilder(e.data().length() + 32);
    if (e.event() != null) {
      sb.append("event: ").append(e.event()).append('\n');
    }
    if (e.id() != null) {
      sb.append("id: ").append(e.id()).append('\n');
    }
    if (e.retry() != null) {
      sb.append("retry: ").append(e.retry().toMillis()).append('\n');
    }
    String data = e.data();
    int start = 0;
    int i = 0;
    while (i <= data.length()) {
      if (i == data.length() || data.charAt(i) == '\n' || data.charAt(i) == '\r') {
        sb.append("data: ").append(data, start, i).append('\n');
        if (i < data.length()
            && data.charAt(i) == '\r'
            && i + 1 < data.length()
            && data.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
      i++;
    }
    sb.append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
