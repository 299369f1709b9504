package dev.bulwark.streaming;

import dev.bulwark.resilience.internal.Durations;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.time.Duration;

/**
 * A write (or, for a publisher, the subscriber's demand) made no progress for the write-stall
 * timeout: the client stopped reading or the connection is half-open. It is the failure of a result
 * whose outcome is {@link StreamResult.Outcome#CLIENT_GONE}.
 */
public final class WriteStallException extends InterruptedIOException {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param what what stalled, e.g. {@code "write"}
   * @param timeout the write-stall timeout
   */
  public WriteStallException(String what, Duration timeout) {
    super(
        what + " made no progress within the write-stall timeout of " + Durations.format(timeout));
  }
}
