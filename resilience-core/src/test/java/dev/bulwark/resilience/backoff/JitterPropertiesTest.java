package dev.bulwark.resilience.backoff;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import org.assertj.core.data.Percentage;

/**
 * Every jitter kind stays within its bounds for attempts 1..10,000, and full jitter averages half
 * the capped curve. Delays are whole nanoseconds, so lower bounds are taken rounded down.
 */
class JitterPropertiesTest {

  private static final int ATTEMPTS = 10_000;

  private static Backoff.Builder curve(
      int kind, long initialMicros, long maxMicros, double factor) {
    Duration initial = Duration.ofNanos(initialMicros * 1_000 + 1); // odd nanos, to probe rounding
    Duration max = Duration.ofNanos(maxMicros * 1_000 + 1);
    return switch (kind) {
      case 0 -> Backoff.fixed(initial);
      case 1 -> Backoff.linear(initial, Duration.ofNanos(initialMicros * 100 + 7), max);
      default -> Backoff.exponential(initial, max).multiplier(factor);
    };
  }

  private static long[] capped(Backoff backoff) {
    long[] d = new long[ATTEMPTS + 1];
    for (int n = 1; n <= ATTEMPTS; n++) {
      d[n] = backoff.cappedDelay(n).toNanos();
    }
    return d;
  }

  @Property(tries = 40)
  void noneIsExactlyTheCappedDelay(
      @ForAll @IntRange(min = 0, max = 2) int kind,
      @ForAll @LongRange(min = 1, max = 1_000_000) long initialMicros,
      @ForAll @LongRange(min = 0, max = 100_000_000) long extraMicros,
      @ForAll @DoubleRange(min = 1.01, max = 4) double multiplier) {
    Backoff backoff = curve(kind, initialMicros, initialMicros + extraMicros, multiplier).build();
    long[] d = capped(backoff);
    Backoff.Sequence sequence = backoff.sequence();
    for (int n = 1; n <= ATTEMPTS; n++) {
      assertThat(sequence.nextNanos()).isEqualTo(d[n]);
    }
  }

  @Property(tries = 40)
  void fullStaysWithinZeroAndTheCappedDelay(
      @ForAll @IntRange(min = 0, max = 2) int kind,
      @ForAll @LongRange(min = 1, max = 1_000_000) long initialMicros,
      @ForAll @LongRange(min = 0, max = 100_000_000) long extraMicros,
      @ForAll @DoubleRange(min = 1.01, max = 4) double multiplier,
      @ForAll long seed) {
    Backoff backoff =
        curve(kind, initialMicros, initialMicros + extraMicros, multiplier)
            .jitter(Jitter.full())
            .random(new SplittableRandom(seed))
            .build();
    long[] d = capped(backoff);
    Backoff.Sequence sequence = backoff.sequence();
    for (int n = 1; n <= ATTEMPTS; n++) {
      long delay = sequence.nextNanos();
      if (delay < 0 || delay > d[n]) {
        assertThat(delay).as("attempt %d", n).isBetween(0L, d[n]);
      }
    }
  }

  @Property(tries = 40)
  void equalStaysWithinHalfAndAllOfTheCappedDelay(
      @ForAll @IntRange(min = 0, max = 2) int kind,
      @ForAll @LongRange(min = 1, max = 1_000_000) long initialMicros,
      @ForAll @LongRange(min = 0, max = 100_000_000) long extraMicros,
      @ForAll @DoubleRange(min = 1.01, max = 4) double multiplier,
      @ForAll long seed) {
    Backoff backoff =
        curve(kind, initialMicros, initialMicros + extraMicros, multiplier)
            .jitter(Jitter.equal())
            .random(new SplittableRandom(seed))
            .build();
    long[] d = capped(backoff);
    Backoff.Sequence sequence = backoff.sequence();
    for (int n = 1; n <= ATTEMPTS; n++) {
      long delay = sequence.nextNanos();
      if (delay < d[n] / 2 || delay > d[n]) {
        assertThat(delay).as("attempt %d", n).isBetween(d[n] / 2, d[n]);
      }
    }
  }

  @Property(tries = 40)
  void decorrelatedStaysWithinInitialAndMax(
      @ForAll @LongRange(min = 1, max = 1_000_000) long initialMicros,
      @ForAll @LongRange(min = 0, max = 100_000_000) long extraMicros,
      @ForAll @DoubleRange(min = 1.01, max = 4) double multiplier,
      @ForAll long seed) {
    Backoff backoff =
        curve(2, initialMicros, initialMicros + extraMicros, multiplier)
            .jitter(Jitter.decorrelated())
            .random(new SplittableRandom(seed))
            .build();
    long initial = backoff.config().initial().toNanos();
    long max = backoff.config().max().toNanos();
    Backoff.Sequence sequence = backoff.sequence();
    for (int n = 1; n <= ATTEMPTS; n++) {
      long delay = sequence.nextNanos();
      if (delay < initial || delay > max) {
        assertThat(delay).as("attempt %d", n).isBetween(initial, max);
      }
    }
  }

  @Property(tries = 40)
  void proportionalStaysWithinTheFactorOfTheCappedDelay(
      @ForAll @IntRange(min = 0, max = 2) int kind,
      @ForAll @LongRange(min = 1, max = 1_000_000) long initialMicros,
      @ForAll @LongRange(min = 0, max = 100_000_000) long extraMicros,
      @ForAll @DoubleRange(min = 1.01, max = 4) double multiplier,
      @ForAll @DoubleRange(min = 0.001, max = 1) @Scale(3) double factor,
      @ForAll long seed) {
    Backoff backoff =
        curve(kind, initialMicros, initialMicros + extraMicros, multiplier)
            .jitter(Jitter.proportional(factor))
            .random(new SplittableRandom(seed))
            .build();
    long[] d = capped(backoff);
    Backoff.Sequence sequence = backoff.sequence();
    for (int n = 1; n <= ATTEMPTS; n++) {
      long delay = sequence.nextNanos();
      long low = (long) Math.floor(d[n] * (1 - factor));
      long high = (long) Math.ceil(d[n] * (1 + factor));
      if (delay < low || delay > high) {
        assertThat(delay).as("attempt %d", n).isBetween(low, high);
      }
    }
  }

  @Property(tries = 10)
  void fullJitterAveragesHalfTheCappedExponential(
      @ForAll @LongRange(min = 1, max = 100_000) long initialMicros,
      @ForAll @IntRange(min = 1, max = 12) int doublings,
      @ForAll long seed) {
    Duration initial = Duration.ofNanos(initialMicros * 1_000);
    Backoff backoff =
        Backoff.exponential(initial, initial.multipliedBy(1L << doublings))
            .jitter(Jitter.full())
            .random(new SplittableRandom(seed))
            .build();
    int samples = 5_000;
    int attempts = doublings + 3; // some attempts below the cap, some at it
    double[] sums = new double[attempts + 1];
    for (int s = 0; s < samples; s++) {
      Backoff.Sequence sequence = backoff.sequence();
      for (int n = 1; n <= attempts; n++) {
        sums[n] += sequence.nextNanos();
      }
    }
    for (int n = 1; n <= attempts; n++) {
      double mean = sums[n] / samples;
      double half = backoff.cappedDelay(n).toNanos() / 2.0;
      assertThat(mean).as("attempt %d", n).isCloseTo(half, Percentage.withPercentage(5));
    }
  }
}
