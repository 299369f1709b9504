package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.circuitbreaker.CircuitBreaker.State;
import java.time.Duration;

/**
 * What a {@link CircuitBreaker} reports to its listeners: every state transition, every refusal,
 * every recorded outcome and every reset. Events are built only when someone listens.
 *
 * <p>An outcome's {@code elapsed} is the call's duration as the breaker's time source measured it;
 * it is zero when the breaker did not time the call (no slow-call duration is set and nobody
 * listened when the call started), since timing costs two readings of the clock.
 */
public sealed interface CircuitBreakerEvent {

  /**
   * Returns the name of the breaker that published this event.
   *
   * @return the breaker's name
   */
  String policyName();

  /**
   * The breaker moved from one state to another.
   *
   * @param policyName the breaker's name
   * @param from the state before
   * @param to the state after
   */
  record StateTransition(String policyName, State from, State to) implements CircuitBreakerEvent {}

  /**
   * A call or permit was refused.
   *
   * @param policyName the breaker's name
   * @param state the state that refused
   */
  record CallNotPermitted(String policyName, State state) implements CircuitBreakerEvent {}

  /**
   * A call succeeded, or failed with an exception that the breaker does not record as a failure.
   *
   * @param policyName the breaker's name
   * @param elapsed the call's duration, zero if untimed
   * @param slow whether it took longer than the slow-call duration
   */
  record Success(String policyName, Duration elapsed, boolean slow)
      implements CircuitBreakerEvent {}

  /**
   * A call failed, and the failure was recorded.
   *
   * @param policyName the breaker's name
   * @param elapsed the call's duration, zero if untimed
   * @param slow whether it took longer than the slow-call duration
   * @param failure the call's exception
   */
  record Failure(String policyName, Duration elapsed, boolean slow, Throwable failure)
      implements CircuitBreakerEvent {}

  /**
   * A call failed with an exception the breaker ignores: nothing was recorded, and a HALF_OPEN
   * trial permit was given back.
   *
   * @param policyName the breaker's name
   * @param elapsed the call's duration, zero if untimed
   * @param failure the call's exception
   */
  record Ignored(String policyName, Duration elapsed, Throwable failure)
      implements CircuitBreakerEvent {}

  /**
   * The failure rate reached its threshold while CLOSED; a transition to OPEN follows.
   *
   * @param policyName the breaker's name
   * @param failureRate the failure rate in percent
   */
  record FailureRateExceeded(String policyName, float failureRate) implements CircuitBreakerEvent {}

  /**
   * The slow-call rate reached its threshold while CLOSED; a transition to OPEN follows.
   *
   * @param policyName the breaker's name
   * @param slowCallRate the slow-call rate in percent
   */
  record SlowCallRateExceeded(String policyName, float slowCallRate)
      implements CircuitBreakerEvent {}

  /**
   * The breaker was reset to a fresh CLOSED state.
   *
   * @param policyName the breaker's name
   */
  record Reset(String policyName) implements CircuitBreakerEvent {}
}
