package dev.bulwark.ratelimit.redis;

import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;

/**
 * What a {@link RedisRateLimiterStore} publishes to its listeners. Events never carry a key (keys
 * are often client ids or API keys).
 */
public sealed interface RedisStoreEvent {

  /**
   * Returns the name of the store that published the event.
   *
   * @return the store's name
   */
  String storeName();

  /**
   * A decision was made without Redis, by the store's {@link FailureMode}.
   *
   * @param storeName the store's name
   * @param limiterName the rate limiter that asked
   * @param mode the failure mode that decided
   * @param granted whether the permits were granted
   * @param cause why Redis could not decide
   */
  record Degraded(
      String storeName, String limiterName, FailureMode mode, boolean granted, Throwable cause)
      implements RedisStoreEvent {}

  /**
   * The circuit breaker guarding Redis changed state: OPEN means no call touches the network.
   *
   * @param storeName the store's name
   * @param from the state before
   * @param to the state after
   */
  record BreakerTransition(String storeName, CircuitBreaker.State from, CircuitBreaker.State to)
      implements RedisStoreEvent {}

  /**
   * The script was (re)loaded into Redis, because Redis did not know it (a restart, a {@code SCRIPT
   * FLUSH}, a new node).
   *
   * @param storeName the store's name
   * @param sha the script's SHA-1
   */
  record ScriptLoaded(String storeName, String sha) implements RedisStoreEvent {}
}
