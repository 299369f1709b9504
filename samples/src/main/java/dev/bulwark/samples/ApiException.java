package dev.bulwark.samples;

import java.io.Serial;
import java.util.Map;

/**
 * A request the service refuses with a 4xx that says why: the status, a message, and for a form or
 * a JSON body, each invalid field with what is wrong with it.
 */
final class ApiException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, String> fields;

  ApiException(int status, String message) {
    this(status, message, Map.of());
  }

  ApiException(int status, String message, Map<String, String> fields) {
    super(message, null, false, false);
    this.status = status;
    this.fields = Map.copyOf(fields);
  }

  int status() {
    return status;
  }

  Map<String, String> fields() {
    return fields;
  }

  /** 422 naming every invalid field, if there is any; otherwise does nothing. */
  static void unprocessableIf(Map<String, String> invalid) {
    if (!invalid.isEmpty()) {
      throw new ApiException(
          422, "invalid fields: " + String.join(", ", invalid.keySet()), invalid);
    }
  }
}
