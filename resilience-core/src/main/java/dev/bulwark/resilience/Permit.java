package dev.bulwark.resilience;

import java.time.Duration;

/**
 * Permission to do one unit of work that is not a single call — a stream, a batch, a session —
 * taken from a {@link PermitPolicy} and handed back with the work's outcome.
 *
 * <pre>{@code
 * try (Permit permit = breaker.acquirePermit()) {   // throws CircuitOpenException if refused
 *   streamRows(out);
 *   permit.onSuccess();
 * } catch (IOException e) {
 *   // the permit was closed without an outcome: neither success nor failure is recorded
 * }
 * }</pre>
 *
 * <p>The policy measures the work's duration from the acquisition to the first of {@link
 * #onSuccess()}, {@link #onFailure(Throwable)} or {@link #close()} with its own time source. Code
 * that measured the work itself — async work, a stream timed by its writer, a replayed trace —
 * reports that duration instead with {@link #onSuccess(Duration)} or {@link #onFailure(Duration,
 * Throwable)} (resilience4j's {@code onSuccess(duration)} and {@code onError(duration, t)}); a
 * circuit breaker then judges slow calls by it. Only the first outcome counts; later calls do
 * nothing, so {@code close()} in a {@code finally} or try-with-resources is always safe.
 */
public interface Permit extends AutoCloseable {

  /** Reports that the work succeeded and releases the permit. */
  void onSuccess();

  /**
   * Reports that the work failed and releases the permit. The policy decides, as for a call,
   * whether this failure counts (a circuit breaker may ignore some exception types).
   *
   * @param failure why the work failed
   * @throws NullPointerException if {@code failure} is null
   */
  void onFailure(Throwable failure);

  /**
   * Reports that the work succeeded after {@code elapsed}, measured by the caller, and releases the
   * permit. Bulwark's own permits use {@code elapsed} in place of their own measurement; the
   * default, for a permit that measures nothing (a test double), validates it and reports {@link
   * #onSuccess()}.
   *
   * @param elapsed how long the work took, zero or more
   * @throws NullPointerException if {@code elapsed} is null
   * @throws IllegalArgumentException if {@code elapsed} is negative
   */
  default void onSuccess(Duration elapsed) {
    dev.bulwark.resilience.internal.Checks.nonNegative(elapsed, "elapsed");
    onSuccess();
  }

  /**
   * Reports that the work failed after {@code elapsed}, measured by the caller, and releases the
   * permit; the failure is classified as by {@link #onFailure(Throwable)}. Bulwark's own permits
   * use {@code elapsed} in place of their own measurement; the default, for a permit that measures
   * nothing (a test double), validates it and reports {@link #onFailure(Throwable)}.
   *
   * @param elapsed how long the work took, zero or more
   * @param failure why the work failed
   * @throws NullPointerException if {@code elapsed} or {@code failure} is null
   * @throws IllegalArgumentException if {@code elapsed} is negative
   */
  default void onFailure(Duration elapsed, Throwable failure) {
    dev.bulwark.resilience.internal.Checks.nonNegative(elapsed, "elapsed");
    onFailure(failure);
  }

  /**
   * Releases the permit without reporting an outcome, if neither {@link #onSuccess()} nor {@link
   * #onFailure(Throwable)} was called: the work was abandoned for a reason that says nothing about
   * the dependency (the client went away).
   */
  @Override
  void close();
}
