package dev.bulwark.resilience.timeout;

import java.time.Duration;

/** What a {@link Timeout} publishes about each call: it finished in time, failed, or timed out. */
public sealed interface TimeoutEvent {

  /**
   * Returns the name of the timeout that published the event.
   *
   * @return the policy's name
   */
  String policyName();

  /**
   * Returns how long the call ran.
   *
   * @return the call's duration on the timeout's time source
   */
  Duration elapsed();

  /**
   * The call returned a value before its deadline.
   *
   * @param policyName the timeout's name
   * @param elapsed how long the call ran
   */
  record Succeeded(String policyName, Duration elapsed) implements TimeoutEvent {}

  /**
   * The call threw before its deadline; its exception was passed on unchanged.
   *
   * @param policyName the timeout's name
   * @param elapsed how long the call ran
   * @param failure what the call threw
   */
  record Failed(String policyName, Duration elapsed, Throwable failure) implements TimeoutEvent {}

  /**
   * The deadline passed: the call was interrupted (or, if it started after its deadline had passed,
   * not run at all) and {@link TimeoutExceededException} was thrown.
   *
   * @param policyName the timeout's name
   * @param elapsed how long the call ran until it gave control back, which is longer than the
   *     timeout if the call ignored the interrupt
   * @param timeout the time the call was given
   */
  record TimedOut(String policyName, Duration elapsed, Duration timeout) implements TimeoutEvent {}
}
