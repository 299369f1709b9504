package dev.bulwark.resilience.hedge;

import java.time.Duration;

/** What a {@link Hedge} publishes about each call and each extra attempt. */
public sealed interface HedgeEvent {

  /**
   * Returns the name of the hedge that published the event.
   *
   * @return the policy's name
   */
  String policyName();

  /**
   * An extra attempt started because no attempt had succeeded within the delay.
   *
   * @param policyName the hedge's name
   * @param attempt the attempt's number; the first attempt is 1, so a hedge is 2 or more
   * @param elapsed the time since the call began
   */
  record HedgeStarted(String policyName, int attempt, Duration elapsed) implements HedgeEvent {}

  /**
   * An extra attempt was due but the retry budget had no token for it; no more are started for this
   * call.
   *
   * @param policyName the hedge's name
   * @param attempt the number the attempt would have had
   */
  record BudgetDenied(String policyName, int attempt) implements HedgeEvent {}

  /**
   * An attempt succeeded; the others were interrupted and their results dropped.
   *
   * @param policyName the hedge's name
   * @param attempt the number of the winning attempt
   * @param attemptsStarted how many attempts had started
   * @param elapsed the time since the call began
   */
  record Succeeded(String policyName, int attempt, int attemptsStarted, Duration elapsed)
      implements HedgeEvent {}

  /**
   * Every attempt that started failed; the last failure was thrown.
   *
   * @param policyName the hedge's name
   * @param attemptsStarted how many attempts had started
   * @param lastFailure the failure that was thrown
   * @param elapsed the time since the call began
   */
  record Failed(String policyName, int attemptsStarted, Throwable lastFailure, Duration elapsed)
      implements HedgeEvent {}
}
