package dev.bulwark.resilience.backoff;

import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * An immutable recipe for the delays between attempts: fixed, linear or exponential, capped at a
 * maximum, with optional {@link Jitter}.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10))
 *     .multiplier(2)
 *     .jitter(Jitter.full())
 *     .build();
 * Backoff.Sequence delays = backoff.sequence();   // one per retry loop
 * Duration first = delays.next();                 // attempt 1: rand(0, 100ms)
 * }</pre>
 *
 * <p>A {@code Backoff} holds no state of its own and may be shared; each loop that waits (a retry,
 * a worker's restarts, a stream's resumes) draws a fresh {@link Sequence} from it, because
 * decorrelated jitter depends on the previous delay of the same loop.
 *
 * <p><b>How the delay of attempt n (from 1) is computed.</b> The curve gives {@code base(n)}: fixed
 * {@code initial}; linear {@code initial + (n-1)·increment}; exponential {@code
 * initial·multiplier^(n-1)}, computed in closed form in floating point, so attempt 10,000 neither
 * overflows nor loops. The cap gives {@code d = min(max, base(n))}. The jitter then spreads {@code
 * d} (see {@link Jitter}); applying the cap first keeps the spread at the cap, where resilience4j
 * and Failsafe cap after jitter and so make every capped delay equal.
 */
public final class Backoff {

  /** The shape of the curve. */
  public enum Kind {
    /** The same delay every time. */
    FIXED,
    /** A delay that grows by a fixed increment. */
    LINEAR,
    /** A delay that grows by a factor. */
    EXPONENTIAL
  }

  /**
   * The configuration of a backoff, as built.
   *
   * @param kind the shape of the curve
   * @param initial the delay of the first attempt
   * @param increment the growth per attempt of a linear curve, zero for the others
   * @param multiplier the growth factor of an exponential curve, 1 for the others
   * @param max the cap applied before jitter
   * @param jitter the jitter
   */
  public record Config(
      Kind kind,
      Duration initial,
      Duration increment,
      double multiplier,
      Duration max,
      Jitter jitter) {}

  private final Config config;
  private final RandomGenerator random; // null: ThreadLocalRandom at each draw
  private final double initialNanos;
  private final double incrementNanos;
  private final double maxNanos;

  private Backoff(Builder b) {
    this.config = new Config(b.kind, b.initial, b.increment, b.multiplier, b.max, b.jitter);
    this.random = b.random;
    this.initialNanos = b.initial.toNanos();
    this.incrementNanos = b.increment.toNanos();
    this.maxNanos = b.max.toNanos();
  }

  /**
   * Starts a backoff whose every delay is {@code delay}.
   *
   * @param delay the delay, zero or more
   * @return a builder; {@link Builder#build()} validates
   */
  public static Builder fixed(Duration delay) {
    return new Builder(Kind.FIXED, delay, Duration.ZERO, 1.0, delay);
  }

  /**
   * Starts a backoff that grows by {@code increment} per attempt up to {@code max}.
   *
   * @param initial the first delay, zero or more
   * @param increment the growth per attempt, zero or more
   * @param max the cap, at least {@code initial}
   * @return a builder; {@link Builder#build()} validates
   */
  public static Builder linear(Duration initial, Duration increment, Duration max) {
    return new Builder(Kind.LINEAR, initial, increment, 1.0, max);
  }

  /**
   * Starts a backoff that doubles per attempt from {@code initial} up to {@code max}; change the
   * factor with {@link Builder#multiplier(double)}.
   *
   * @param initial the first delay, positive
   * @param max the cap, at least {@code initial}
   * @return a builder; {@link Builder#build()} validates
   */
  public static Builder exponential(Duration initial, Duration max) {
    return new Builder(Kind.EXPONENTIAL, initial, Duration.ZERO, 2.0, max);
  }

  /**
   * Returns this backoff's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the delay of attempt {@code attempt} after the cap and before jitter.
   *
   * @param attempt the attempt, from 1
   * @return {@code min(max, base(attempt))}
   * @throws IllegalArgumentException if {@code attempt} is less than 1
   */
  public Duration cappedDelay(int attempt) {
    Checks.atLeast(attempt, 1, "attempt");
    return Duration.ofNanos(cappedNanos(attempt));
  }

  /**
   * Returns a fresh sequence of delays, starting at attempt 1. Draw one per loop.
   *
   * @return a new sequence; not thread-safe
   */
  public Sequence sequence() {
    return new Sequence();
  }

  private long cappedNanos(int attempt) {
    double base =
        switch (config.kind) {
          case FIXED -> initialNanos;
          case LINEAR -> initialNanos + (attempt - 1) * incrementNanos;
          case EXPONENTIAL -> initialNanos * Math.pow(config.multiplier, attempt - 1);
        };
    return (long) Math.min(maxNanos, base); // Infinity and huge values fall to the cap
  }

  private RandomGenerator random() {
    return random != null ? random : ThreadLocalRandom.current();
  }

  /** The delays of one loop, one per attempt. Not thread-safe: a loop owns its sequence. */
  public final class Sequence {
    private int attempt;
    private long previous = (long) initialNanos;

    private Sequence() {}

    /**
     * Returns the delay before the next attempt and moves on.
     *
     * @return the next delay
     */
    public Duration next() {
      return Duration.ofNanos(nextNanos());
    }

    /**
     * Returns the delay before the next attempt, in nanoseconds, and moves on.
     *
     * @return the next delay in nanoseconds
     */
    public long nextNanos() {
      if (attempt < Integer.MAX_VALUE) {
        attempt++;
      }
      long capped = cappedNanos(attempt);
      long delay =
          switch (config.jitter) {
            case Jitter.None none -> capped;
            case Jitter.Full full -> (long) (random().nextDouble() * capped);
            case Jitter.Equal equal -> capped / 2 + (long) (random().nextDouble() * (capped / 2));
            case Jitter.Decorrelated decorrelated -> {
              double low = initialNanos;
              double high = Math.max(low, 3.0 * previous);
              yield (long) Math.min(maxNanos, low + random().nextDouble() * (high - low));
            }
            case Jitter.Proportional p ->
                Math.max(0L, (long) (capped * (1 + p.factor() * (2 * random().nextDouble() - 1))));
          };
      previous = delay;
      return delay;
    }

    /**
     * Returns how many delays this sequence has handed out.
     *
     * @return the number of calls to {@link #next()} so far
     */
    public int attempts() {
      return attempt;
    }
  }

  @Override
  public String toString() {
    String curve =
        switch (config.kind) {
          case FIXED -> "fixed " + Durations.format(config.initial);
          case LINEAR ->
              "linear "
                  + Durations.format(config.initial)
                  + " +"
                  + Durations.format(config.increment)
                  + " up to "
                  + Durations.format(config.max);
          case EXPONENTIAL ->
              "exponential "
                  + Durations.format(config.initial)
                  + " x"
                  + config.multiplier
                  + " up to "
                  + Durations.format(config.max);
        };
    return "Backoff[" + curve + ", jitter=" + config.jitter + "]";
  }

  /** Builds a {@link Backoff}; every setting is validated by {@link #build()}. */
  public static final class Builder {
    private final Kind kind;
    private final Duration initial;
    private final Duration increment;
    private final Duration max;
    private double multiplier;
    private Jitter jitter = Jitter.none();
    private RandomGenerator random;
    private boolean randomSet;

    private Builder(
        Kind kind, Duration initial, Duration increment, double multiplier, Duration max) {
      this.kind = kind;
      this.initial = initial;
      this.increment = increment;
      this.multiplier = multiplier;
      this.max = max;
    }

    /**
     * Sets the growth factor of an exponential backoff (default 2).
     *
     * @param multiplier greater than 1
     * @return this builder
     */
    public Builder multiplier(double multiplier) {
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Sets the jitter (default {@link Jitter#none()}).
     *
     * @param jitter the jitter
     * @return this builder
     */
    public Builder jitter(Jitter jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets the source of randomness for the jitter (default: {@link ThreadLocalRandom} of the
     * thread that draws). Tests pass a seeded generator to repeat a sequence. A generator that is
     * not thread-safe must not be shared by loops that run concurrently.
     *
     * @param random the generator
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = random;
      this.randomSet = true;
      return this;
    }

    /**
     * Validates the settings and builds the backoff.
     *
     * @return the backoff
     * @throws IllegalArgumentException if a duration is negative or longer than about 292 years, an
     *     exponential's initial delay is zero, the initial delay is zero with decorrelated jitter,
     *     {@code max} is less than {@code initial}, or an exponential's multiplier is not greater
     *     than 1
     * @throws NullPointerException if a duration, the jitter or a given random generator is null
     */
    public Backoff build() {
      Checks.notNull(jitter, "jitter");
      if (randomSet) {
        Checks.notNull(random, "random");
      }
      switch (kind) {
        case FIXED -> Checks.nonNegative(initial, "delay");
        case LINEAR -> {
          Checks.nonNegative(initial, "initial");
          Checks.nonNegative(increment, "increment");
          Checks.nonNegative(max, "max");
        }
        case EXPONENTIAL -> {
          Checks.positive(initial, "initial");
          Checks.nonNegative(max, "max");
          Checks.greaterThan(multiplier, 1.0, "multiplier");
          Checks.require(
              !Double.isInfinite(multiplier), "multiplier must be finite, was " + multiplier);
        }
      }
      if (jitter instanceof Jitter.Decorrelated) {
        // rand(initial, 3 * previous) never leaves zero: every delay would be zero.
        String setting = kind == Kind.FIXED ? "delay" : "initial";
        Checks.require(
            initial.compareTo(Duration.ZERO) > 0,
            setting
                + " must be positive for decorrelated jitter (it grows from initial), was "
                + Durations.format(initial));
      }
      fitsInNanos(initial, kind == Kind.FIXED ? "delay" : "initial");
      fitsInNanos(increment, "increment");
      fitsInNanos(max, "max");
      Checks.require(
          max.compareTo(initial) >= 0,
          "max must be at least initial ("
              + Durations.format(initial)
              + "), was "
              + Durations.format(max));
      return new Backoff(this);
    }

    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    /** Delays are computed in nanoseconds; about 292 years is the most a long holds. */
    private static void fitsInNanos(Duration d, String name) {
      Checks.require(
          d.compareTo(LONGEST) <= 0,
          name
              + " must be at most "
              + Durations.format(LONGEST)
              + " (the range of nanoseconds), was "
              + Durations.format(d));
    }
  }
}
