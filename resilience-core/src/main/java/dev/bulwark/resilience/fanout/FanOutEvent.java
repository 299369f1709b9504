package dev.bulwark.resilience.fanout;

import java.time.Duration;

/** What a {@link FanOut} publishes about each batch of calls. */
public sealed interface FanOutEvent {

  /**
   * Returns the name of the fan-out that published the event.
   *
   * @return the fan-out's name
   */
  String policyName();

  /**
   * The deadline passed (or the caller was interrupted) with calls unfinished; they are being
   * interrupted.
   *
   * @param policyName the fan-out's name
   * @param unfinished how many calls had not finished, started or not
   */
  record DeadlineReached(String policyName, int unfinished) implements FanOutEvent {}

  /**
   * A batch ended and its outcomes were returned.
   *
   * @param policyName the fan-out's name
   * @param succeeded how many calls returned a value
   * @param failed how many calls threw
   * @param notFinished how many calls had not finished by the deadline
   * @param stillRunning how many interrupted calls had still not ended when the fan-out stopped
   *     waiting for them (they ignore interruption; their threads are left to end on their own)
   * @param elapsed how long the batch took, waiting for interrupted calls included
   */
  record Completed(
      String policyName,
      int succeeded,
      int failed,
      int notFinished,
      int stillRunning,
      Duration elapsed)
      implements FanOutEvent {}
}
