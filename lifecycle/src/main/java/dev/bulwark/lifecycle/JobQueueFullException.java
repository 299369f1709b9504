package dev.bulwark.lifecycle;

import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.internal.Durations;
import java.io.Serial;
import java.time.Duration;

/**
 * A {@link JobQueue} refused a job because it is full. {@link #retryAfter()} estimates when a place
 * frees up, once the queue has seen jobs finish; a service maps the refusal to HTTP 503 or 429 with
 * a {@code Retry-After} header.
 */
public final class JobQueueFullException extends RejectedException {

  @Serial private static final long serialVersionUID = 1L;

  JobQueueFullException(String queue, int capacity, Duration retryAfter) {
    super(
        queue,
        retryAfter,
        "job queue '"
            + queue
            + "' is full ("
            + capacity
            + " jobs waiting); "
            + (retryAfter == null
                ? "retry later"
                : "a place is expected to free up in " + Durations.format(retryAfter)));
  }
}
