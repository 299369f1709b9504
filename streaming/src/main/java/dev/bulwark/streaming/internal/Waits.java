package dev.bulwark.streaming.internal;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/** Timed waits through the {@link TimeSource}, with {@code Long.MAX_VALUE} meaning no bound. */
public final class Waits {

  /** The nanosecond count that stands for "no bound". */
  public static final long FOREVER = Long.MAX_VALUE;

  private static final Duration FOREVER_DURATION = Duration.ofNanos(FOREVER);

  private Waits() {}

  /**
   * Converts a timeout to nanoseconds with the one overflow rule of {@link
   * Durations#saturatedNanos}; negative becomes zero, and a timeout at or beyond its clamp ({@link
   * Durations#MAX_NANOS}, about 146 years) becomes {@link #FOREVER}.
   */
  public static long nanos(Duration timeout) {
    long nanos = Durations.saturatedNanos(timeout);
    return nanos >= Durations.MAX_NANOS ? FOREVER : Math.max(0, nanos);
  }

  /** Returns a duration for a wait in nanoseconds, {@link #FOREVER} staying forever. */
  public static Duration duration(long nanos) {
    if (nanos == FOREVER) {
      return FOREVER_DURATION; // a poll with no deadline, once per item: allocate nothing
    }
    return Duration.ofNanos(Math.max(0, nanos));
  }

  /**
   * Waits on {@code condition} (whose lock the caller holds) for at most {@code nanos}, through the
   * time source unless the wait is unbounded.
   *
   * @return the nanoseconds left; zero or less means the time is up
   */
  public static long await(TimeSource time, Lock lock, Condition condition, long nanos)
      throws InterruptedException {
    if (nanos == FOREVER) {
      condition.await();
      return FOREVER;
    }
    return time.awaitNanos(lock, condition, nanos);
  }

  /** A deadline on a time source, or none; measures what is left of a wait. */
  public static final class Timer {
    private final TimeSource time;
    private final long deadline;
    private final boolean forever;

    /** Starts a timer of {@code nanos} on {@code time}; {@link #FOREVER} never expires. */
    public Timer(TimeSource time, long nanos) {
      this.time = time;
      this.forever = nanos == FOREVER;
      this.deadline = forever ? 0 : time.nanoTime() + nanos;
    }

    /** Returns the nanoseconds left, at least zero, or {@link #FOREVER}. */
    public long remaining() {
      return forever ? FOREVER : Math.max(0, deadline - time.nanoTime());
    }

    /** Returns true once the time is up. */
    public boolean expired() {
      return !forever && deadline - time.nanoTime() <= 0;
    }
  }
}
