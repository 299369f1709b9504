package dev.bulwark.samples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A strict Server-Sent Events reader after the WHATWG rules, independent of the service's encoder:
 * lines end with {@code \n}; {@code :} starts a comment (counted as a heartbeat); fields are {@code
 * event}, {@code data}, {@code id} and {@code retry} only, with at most one space after the colon
 * removed; a blank line dispatches the event; {@code data} lines join with {@code \n}. Unknown
 * fields, {@code \r}, a non-numeric {@code retry} or a stream that ends inside an event fail.
 */
final class StrictSse {

  /** One dispatched event. */
  record Event(String event, String data, String id, Long retry) {}

  private final InputStream in;
  int comments;

  StrictSse(InputStream in) {
    this.in = in;
  }

  /** The next event; empty at a clean end of the stream (between events). */
  Optional<Event> next() throws IOException {
    String event = null;
    String id = null;
    Long retry = null;
    List<String> data = new ArrayList<>();
    boolean inEvent = false;
    while (true) {
      String line = line();
      if (line == null) {
        if (inEvent) {
          throw new AssertionError("the stream ended inside an event (no blank line after it)");
        }
        return Optional.empty();
      }
      if (line.isEmpty()) {
        if (inEvent) {
          if (data.isEmpty()) {
            throw new AssertionError("an event without data");
          }
          return Optional.of(
              new Event(event == null ? "message" : event, String.join("\n", data), id, retry));
        }
        continue;
      }
      if (line.startsWith(":")) {
        comments++;
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      inEvent = true;
      switch (field) {
        case "event" -> event = value;
        case "data" -> data.add(value);
        case "id" -> {
          if (value.indexOf('\0') >= 0) {
            throw new AssertionError("an id with NUL");
          }
          id = value;
        }
        case "retry" -> {
          if (!value.matches("[0-9]+")) {
            throw new AssertionError("retry is not a number: " + value);
          }
          retry = Long.parseLong(value);
        }
        default -> throw new AssertionError("unknown SSE field '" + field + "'");
      }
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b == '\r') {
        throw new AssertionError("SSE line contains a carriage return");
      }
      line.write(b);
    }
    if (b == -1) {
      if (line.size() > 0) {
        throw new AssertionError("the stream ended inside a line: " + line);
      }
      return null;
    }
    return StrictNdjson.utf8(line.toByteArray());
  }
}
