package dev.bulwark.resilience.bulkhead;

import java.time.Duration;

/**
 * What a {@link Bulkhead} or an {@link AdaptiveBulkhead} reports to its listeners. Listeners run on
 * the thread that caused the event, after the bulkhead's lock (if any) is released.
 *
 * <pre>{@code
 * bulkhead.subscribe(event -> {
 *   switch (event) {
 *     case BulkheadEvent.Permitted p -> permitted.increment();
 *     case BulkheadEvent.Rejected r -> rejected.increment();
 *     case BulkheadEvent.Finished f -> durations.record(f.duration());
 *     case BulkheadEvent.LimitChanged c -> limitGauge.set(c.newLimit());
 *   }
 * });
 * }</pre>
 */
public sealed interface BulkheadEvent {

  /**
   * Returns the name of the bulkhead that published the event.
   *
   * @return the bulkhead's name
   */
  String policyName();

  /**
   * A call or permit was let through.
   *
   * @param policyName the bulkhead's name
   * @param inFlight the calls in flight, this one included, when it was let through
   */
  record Permitted(String policyName, int inFlight) implements BulkheadEvent {}

  /**
   * A call or permit was refused: no permit was free within the maximum wait, or the waiting thread
   * was interrupted.
   *
   * @param policyName the bulkhead's name
   * @param limit the concurrency limit at the time of the refusal
   */
  record Rejected(String policyName, int limit) implements BulkheadEvent {}

  /**
   * A permitted call finished (in any way) and its permit was returned.
   *
   * @param policyName the bulkhead's name
   * @param duration how long the permit was held, measured with the bulkhead's time source; zero if
   *     nobody listened when the call started
   */
  record Finished(String policyName, Duration duration) implements BulkheadEvent {}

  /**
   * The limit of an {@link AdaptiveBulkhead} moved.
   *
   * @param policyName the bulkhead's name
   * @param oldLimit the limit before the sample that moved it
   * @param newLimit the limit now
   */
  record LimitChanged(String policyName, int oldLimit, int newLimit) implements BulkheadEvent {}
}
