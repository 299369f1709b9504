package dev.bulwark.streaming;

import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;

/**
 * One Server-Sent Event, encoded by {@link Encoders#sse()}.
 *
 * <pre>{@code
 * SseEvent.of("{\"price\": 12.5}").withId("1042").withEvent("quote")
 * }</pre>
 *
 * <p>The data may span lines (CR, LF or CRLF); each becomes its own {@code data:} field, and the
 * browser joins them with LF again. The {@code id} and {@code event} fields are single-line by the
 * format's rules, so a line break in them is refused here: written out, it would start a field the
 * client never meant to receive. An unpaired surrogate in any field is refused here too, so every
 * check of an event's text happens in one place, when the event is made. An {@code id} is what the
 * client sends back as {@code Last-Event-ID} when it reconnects.
 *
 * @param data the event's data, possibly multi-line; may be empty
 * @param id the event id, or null for none; no CR, LF or NUL
 * @param event the event type, or null for the default {@code message}; no CR or LF
 * @param retry the reconnection delay the client should use, or null for none
 */
public record SseEvent(String data, String id, String event, Duration retry) {

  /**
   * Creates an event.
   *
   * @throws NullPointerException if {@code data} is null
   * @throws IllegalArgumentException if {@code id} or {@code event} contains CR or LF, {@code id}
   *     contains NUL, any text holds an unpaired surrogate (which UTF-8 cannot encode), or {@code
   *     retry} is negative
   */
  public SseEvent {
    Checks.notNull(data, "data");
    TextFrames.checkWellFormed(data, "SSE data");
    if (id != null) {
      singleLine(id, "id");
      Checks.require(id.indexOf('\0') < 0, "SSE id must not contain NUL, was " + quote(id));
      TextFrames.checkWellFormed(id, "SSE id");
    }
    if (event != null) {
      singleLine(event, "event");
      TextFrames.checkWellFormed(event, "SSE event name");
    }
    if (retry != null) {
      Checks.require(
          !retry.isNegative(), "SSE retry must not be negative, was " + Durations.format(retry));
    }
  }

  /**
   * Creates an event with data only.
   *
   * @param data the data
   * @return the event
   * @throws NullPointerException if {@code data} is null
   */
  public static SseEvent of(String data) {
    return new SseEvent(data, null, null, null);
  }

  /**
   * Returns this event with the given id.
   *
   * @param id the id; no CR, LF or NUL
   * @return a new event
   * @throws IllegalArgumentException if {@code id} contains CR, LF or NUL
   */
  public SseEvent withId(String id) {
    return new SseEvent(data, id, event, retry);
  }

  /**
   * Returns this event with the given type.
   *
   * @param event the type; no CR or LF
   * @return a new event
   * @throws IllegalArgumentException if {@code event} contains CR or LF
   */
  public SseEvent withEvent(String event) {
    return new SseEvent(data, id, event, retry);
  }

  /**
   * Returns this event with a reconnection delay for the client.
   *
   * @param retry the delay, zero or more; sent in whole milliseconds
   * @return a new event
   * @throws IllegalArgumentException if {@code retry} is negative
   */
  public SseEvent withRetry(Duration retry) {
    return new SseEvent(data, id, event, retry);
  }

  private static void singleLine(String value, String field) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\n' || c == '\r') {
        throw new IllegalArgumentException(
            "SSE "
                + field
                + " must not contain CR or LF, was "
                + quote(value)
                + " (line break at index "
                + i
                + ")");
      }
    }
  }

  static String quote(String s) {
    String shown = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    return "\""
        + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0")
        + "\"";
  }
}
