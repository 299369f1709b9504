package dev.bulwark.samples;

import java.io.IOException;
import java.io.Serial;
import java.time.Duration;
import java.util.Optional;

/** The upstream answered with an error status; carries its {@code Retry-After}, if it sent one. */
final class UpstreamException extends IOException {

  @Serial private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Duration retryAfter;

  UpstreamException(int status, Duration retryAfter) {
    super(
        "upstream answered "
            + status
            + (retryAfter == null ? "" : " with Retry-After " + retryAfter.toSeconds() + "s"));
    this.status = status;
    this.retryAfter = retryAfter;
  }

  int status() {
    return status;
  }

  Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
