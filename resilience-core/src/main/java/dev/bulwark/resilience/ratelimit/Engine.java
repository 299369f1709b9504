package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.internal.OutcomeCounter;
import java.time.Duration;

/**
 * The decisions and waits shared by {@link RateLimiter} and {@link KeyedRateLimiter}: one {@link
 * RateLimiterStore.Limit} decided by a {@link RateLimiterStore}, the time source that times waits,
 * the listeners and the refusal messages.
 *
 * @param <K> the key type; a single limiter uses its name
 */
final class Engine<K> {

  final String name;
  final RateLimiterStore.Limit limit;
  final RateLimiterStore<K> store;
  final TimeSource time;
  final Listeners<RateLimiterEvent> listeners;
  final OutcomeCounter<RateLimitOutcome> counts = new OutcomeCounter<>(RateLimitOutcome.class);

  /** Appended to refusal messages of a keyed limiter: names no key, which may be a secret. */
  static final String KEY_SCOPE = " for this key";

  private final boolean keyed;

  Engine(
      String name,
      RateLimiterStore.Limit limit,
      RateLimiterStore<K> store,
      TimeSource time,
      Listeners<RateLimiterEvent> listeners,
      boolean keyed) {
    this.name = name;
    this.limit = limit;
    this.store = store;
    this.time = time;
    this.listeners = listeners;
    this.keyed = keyed;
  }

  void checkPermits(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, was " + permits);
    }
    if (permits > limit.gcra.burst) {
      throw new IllegalArgumentException(
          "permits must be at most the burst of "
              + limit.gcra.burst
              + " (more could never be granted at once), was "
              + permits);
    }
  }

  boolean tryAcquire(K key, int permits) {
    return decide(key, permits) == 0;
  }

  /**
   * Takes permits if they are available now; never waits.
   *
   * @return zero if taken, else the nanoseconds until they would be ready (at least 1)
   */
  long decide(K key, int permits) {
    checkPermits(permits);
    long result = store.acquire(key, limit, permits, 0L);
    if (result < 0) {
      counts.increment(RateLimitOutcome.REFUSED);
      if (!listeners.isEmpty()) {
        listeners.publish(new RateLimiterEvent.Refused(name, permits, Duration.ofNanos(-result)));
      }
      return -result;
    }
    counts.increment(RateLimitOutcome.PERMITTED);
    if (!listeners.isEmpty()) {
      listeners.publish(new RateLimiterEvent.Acquired(name, permits, Duration.ZERO));
    }
    return 0;
  }

  /**
   * Takes permits, waiting for them only if they are ready within {@code maxWait}; otherwise
   * refuses at once.
   */
  void acquire(K key, int permits, Duration maxWait) throws InterruptedException {
    checkPermits(permits);
    Checks.nonNegative(maxWait, "maxWait");
    if (Thread.interrupted()) {
      throw new InterruptedException(
          "interrupted before asking rate limiter '" + name + "' for permits");
    }
    // Read before the store decides, so that start + result is no later than the ready time on
    // the store's clock: an interrupted waiter then refunds only while its reservation is unused.
    long start = time.nanoTime();
    long result = store.acquire(key, limit, permits, Durations.saturatedNanos(maxWait));
    if (result < 0) {
      throw refuse(permits, -result, maxWait);
    }
    if (result > 0) {
      try {
        time.sleep(Duration.ofNanos(result));
      } catch (InterruptedException e) {
        if (time.nanoTime() - (start + result) < 0) {
          // Still before the reservation's ready time: its cost is still part of the bucket's
          // debt, so taking it off restores exactly the state without this caller.
          store.refund(key, limit, permits);
          if (!listeners.isEmpty()) {
            listeners.publish(new RateLimiterEvent.Interrupted(name, permits));
          }
        }
        throw e;
      }
    }
    counts.increment(RateLimitOutcome.PERMITTED);
    if (!listeners.isEmpty()) {
      listeners.publish(new RateLimiterEvent.Acquired(name, permits, Duration.ofNanos(result)));
    }
  }

  /**
   * Takes one permit for a call, within {@code maxWait}: a refusal throws {@link
   * RateLimitedException}, an interrupted wait a {@link java.util.concurrent.CancellationException}
   * (as every waiting policy's, see {@link Exceptions#interrupted}).
   */
  void acquireForCall(K key, Duration maxWait, long maxWaitNanos) {
    if (maxWaitNanos == 0) {
      long result = store.acquire(key, limit, 1, 0L);
      if (result < 0) {
        throw refuse(1, -result, maxWait);
      }
      counts.increment(RateLimitOutcome.PERMITTED);
      if (!listeners.isEmpty()) {
        listeners.publish(new RateLimiterEvent.Acquired(name, 1, Duration.ZERO));
      }
      return;
    }
    try {
      acquire(key, 1, maxWait);
    } catch (InterruptedException e) {
      throw Exceptions.interrupted(
          "rate limiter '"
              + name
              + "' stopped waiting for a permit"
              + (keyed ? KEY_SCOPE : "")
              + ": the thread was interrupted; the call did not run",
          e);
    }
  }

  int availablePermits(K key) {
    return store.availablePermits(key, limit);
  }

  RateLimitedException refuse(int permits, long retryAfterNanos, Duration maxWait) {
    counts.increment(RateLimitOutcome.REFUSED);
    if (!listeners.isEmpty()) {
      listeners.publish(
          new RateLimiterEvent.Refused(name, permits, Duration.ofNanos(retryAfterNanos)));
    }
    return new RateLimitedException(name, permits, retryAfterNanos, maxWait, keyed);
  }
}
