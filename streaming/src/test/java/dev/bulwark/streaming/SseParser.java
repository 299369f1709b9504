package dev.bulwark.streaming;

import java.util.ArrayList;
import java.util.List;

/**
 * A Server-Sent Events parser written from the WHATWG HTML rules ("Interpreting an event stream"),
 * independent of the encoder, to check what a browser would see.
 */
final class SseParser {

  /** A dispatched event as a browser's EventSource would report it. */
  record Event(String type, String data, String lastEventId) {}

  private final List<Event> events = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();
  private StringBuilder data = new StringBuilder();
  private String eventType = "";
  private String lastEventId = "";
  private long retry = -1;

  /** Parses a whole stream. */
  static SseParser parse(String stream) {
    SseParser p = new SseParser();
    if (stream.startsWith("\uFEFF")) {
      stream = stream.substring(1);
    }
    int i = 0;
    int start = 0;
    while (i < stream.length()) {
      char c = stream.charAt(i);
      if (c == '\r' || c == '\n') {
        p.line(stream.substring(start, i));
        if (c == '\r' && i + 1 < stream.length() && stream.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
      i++;
    }
    // an incomplete last line (no line break) is discarded, as is an undispatched event
    return p;
  }

  private void line(String line) {
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    if (line.startsWith(":")) {
      comments.add(line.substring(1));
      return;
    }
    String field;
    String value;
    int colon = line.indexOf(':');
    if (colon >= 0) {
      field = line.substring(0, colon);
      value = line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
    } else {
      field = line;
      value = "";
    }
    switch (field) {
      case "event" -> eventType = value;
      case "data" -> data.append(value).append('\n');
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventId = value;
        }
      }
      case "retry" -> {
        if (!value.isEmpty() && value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
          retry = Long.parseLong(value);
        }
      }
      default -> {}
    }
  }

  private void dispatch() {
    if (data.isEmpty()) {
      eventType = "";
      return;
    }
    String d = data.toString();
    if (d.endsWith("\n")) {
      d = d.substring(0, d.length() - 1);
    }
    events.add(new Event(eventType.isEmpty() ? "message" : eventType, d, lastEventId));
    data = new StringBuilder();
    eventType = "";
  }

  List<Event> events() {
    return events;
  }

  List<String> comments() {
    return comments;
  }

  long retry() {
    return retry;
  }
}
