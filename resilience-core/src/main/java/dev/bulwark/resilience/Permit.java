package dev.bulwark.resilience;

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
 * #onSuccess()}, {@link #onFailure(Throwable)} or {@link #close()} with its own time source. Only
 * the first of these counts; later calls do nothing, so {@code close()} in a {@code finally} or
 * try-with-resources is always safe.
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
   * Releases the permit without reporting an outcome, if neither {@link #onSuccess()} nor {@link
   * #onFailure(Throwable)} was called: the work was abandoned for a reason that says nothing about
   * the dependency (the client went away).
   */
  @Override
  void close();
}
