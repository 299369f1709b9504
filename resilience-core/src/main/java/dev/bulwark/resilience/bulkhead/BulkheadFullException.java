package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.RejectedException;
import java.io.Serial;

/**
 * A bulkhead refused a call: all its permits were taken and none came free within its maximum wait.
 * The call never started. (A caller interrupted while it waits in the queue gets a {@link
 * java.util.concurrent.CancellationException} instead, with its interrupt status set again: it was
 * not refused, it was told to stop.)
 *
 * <p>A bulkhead cannot tell when a permit will come free, so {@link #retryAfter()} is empty; a
 * service usually answers such a refusal with HTTP 503.
 */
public final class BulkheadFullException extends RejectedException {

  /** Version of the serialized form. */
  @Serial private static final long serialVersionUID = 1L;

  private final int limit;

  /**
   * Creates a refusal.
   *
   * @param bulkheadName the name of the bulkhead that refused
   * @param limit the concurrency limit at the time of the refusal
   * @param message what was refused and what to do; should name the bulkhead
   * @throws NullPointerException if {@code bulkheadName} or {@code message} is null
   */
  public BulkheadFullException(String bulkheadName, int limit, String message) {
    super(bulkheadName, null, message);
    this.limit = limit;
  }

  /**
   * Returns the bulkhead's concurrency limit when it refused.
   *
   * @return the limit, at least 1
   */
  public int limit() {
    return limit;
  }
}
