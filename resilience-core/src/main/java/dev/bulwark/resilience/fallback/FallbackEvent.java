package dev.bulwark.resilience.fallback;

/** What a {@link Fallback} publishes: that it replaced a failure with its value. */
public sealed interface FallbackEvent {

  /**
   * Returns the name of the fallback that published the event.
   *
   * @return the fallback's name
   */
  String policyName();

  /**
   * The call failed with a handled failure and the fallback value was returned instead.
   *
   * @param policyName the fallback's name
   * @param failure the failure that was replaced
   */
  record Used(String policyName, Exception failure) implements FallbackEvent {}
}
