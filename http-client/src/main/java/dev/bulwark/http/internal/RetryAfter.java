package dev.bulwark.http.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads a {@code Retry-After} header (RFC 9110 §10.2.3): either delta-seconds (one or more digits)
 * or an HTTP date (IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}). A date is measured
 * from the response's own {@code Date} header when it has a valid one, so that a skew between the
 * server's clock and ours does not change the wait; from our clock otherwise.
 *
 * <p>Bad input never throws: a value that is neither form, or a negative number, is reported as
 * ignored; a value above the cap (or too large to represent at all) is reported as capped; a date
 * in the past means "now" (a wait of zero).
 */
public final class RetryAfter {

  /** What the header turned out to be. */
  public enum Status {
    /** A valid value within the cap. */
    OK,
    /** Neither delta-seconds nor an HTTP date. */
    MALFORMED,
    /** A negative number of seconds. */
    NEGATIVE,
    /** Above the cap, or too large to represent: the cap is used. */
    CAPPED
  }

  /**
   * The reading of one header.
   *
   * @param status what the value was
   * @param delay the wait to honour: the value, the cap, or zero if ignored
   */
  public record Reading(Status status, Duration delay) {}

  private RetryAfter() {}

  /**
   * Reads {@code value}.
   *
   * @param value the header's value
   * @param responseDate the response's {@code Date} header, if any
   * @param now the current time by our clock, used when the response has no valid date
   * @param cap the longest wait honoured
   * @return the reading
   */
  public static Reading read(
      String value, Optional<String> responseDate, Instant now, Duration cap) {
    String v = value.strip();
    if (v.isEmpty()) {
      return new Reading(Status.MALFORMED, Duration.ZERO);
    }
    if (isSignedInteger(v)) {
      if (v.charAt(0) == '-') {
        return new Reading(Status.NEGATIVE, Duration.ZERO);
      }
      if (v.charAt(0) == '+') {
        return new Reading(Status.MALFORMED, Duration.ZERO); // delta-seconds has no sign
      }
      // At most 18 digits fit a long; more are surely above any cap.
      String digits = stripLeadingZeros(v);
      long seconds = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
      return seconds > cap.toSeconds()
          ? new Reading(Status.CAPPED, cap)
          : new Reading(Status.OK, Duration.ofSeconds(seconds));
    }
    Instant at = parseDate(v);
    if (at == null) {
      return new Reading(Status.MALFORMED, Duration.ZERO);
    }
    Instant base = responseDate.map(RetryAfter::parseDate).orElse(null);
    Duration wait = Duration.between(base != null ? base : now, at);
    if (wait.isNegative()) {
      return new Reading(Status.OK, Duration.ZERO);
    }
    return wait.compareTo(cap) > 0 ? new Reading(Status.CAPPED, cap) : new Reading(Status.OK, wait);
  }

  private static boolean isSignedInteger(String v) {
    int start = v.charAt(0) == '-' || v.charAt(0) == '+' ? 1 : 0;
    if (start == v.length()) {
      return false;
    }
    for (int i = start; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String stripLeadingZeros(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }

  /** An IMF-fixdate (RFC 1123 form, GMT), or null. */
  private static Instant parseDate(String v) {
    try {
      return ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException malformed) {
      return null; // reported by the caller as MALFORMED; a bad Date header is simply not used
    }
  }
}
