package dev.bulwark.resilience.backoff;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static List<Duration> first(int n, Backoff backoff) {
    Backoff.Sequence sequence = backoff.sequence();
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      delays.add(sequence.next());
    }
    return delays;
  }

  /** A generator that always returns the same double, to pin jitter arithmetic. */
  private static RandomGenerator constant(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  @Test
  void fixedRepeatsTheSameDelay() {
    assertThat(first(4, Backoff.fixed(ofMillis(250)).build()))
        .containsExactly(ofMillis(250), ofMillis(250), ofMillis(250), ofMillis(250));
  }

  @Test
  void fixedMayBeZero() {
    assertThat(first(2, Backoff.fixed(Duration.ZERO).build()))
        .containsExactly(Duration.ZERO, Duration.ZERO);
  }

  @Test
  void linearGrowsByTheIncrementUpToTheCap() {
    Backoff backoff = Backoff.linear(ofMillis(100), ofMillis(50), ofMillis(220)).build();

    assertThat(first(5, backoff))
        .containsExactly(ofMillis(100), ofMillis(150), ofMillis(200), ofMillis(220), ofMillis(220));
  }

  @Test
  void exponentialDoublesUpToTheCap() {
    Backoff backoff = Backoff.exponential(ofMillis(100), ofSeconds(1)).build();

    assertThat(first(6, backoff))
        .containsExactly(
            ofMillis(100), ofMillis(200), ofMillis(400), ofMillis(800), ofSeconds(1), ofSeconds(1));
  }

  @Test
  void exponentialTakesAMultiplier() {
    Backoff backoff = Backoff.exponential(ofMillis(100), ofSeconds(10)).multiplier(3).build();

    assertThat(first(4, backoff))
        .containsExactly(ofMillis(100), ofMillis(300), ofMillis(900), ofMillis(2700));
  }

  @Test
  void attemptTenThousandNeitherOverflowsNorLoops() {
    Backoff exponential = Backoff.exponential(ofMillis(100), ofSeconds(30)).build();
    Backoff linear = Backoff.linear(ofMillis(100), ofSeconds(1), ofSeconds(30)).build();
    Backoff huge = Backoff.exponential(ofSeconds(1), Duration.ofDays(365 * 200)).build();

    assertThat(exponential.cappedDelay(10_000)).isEqualTo(ofSeconds(30));
    assertThat(exponential.cappedDelay(Integer.MAX_VALUE)).isEqualTo(ofSeconds(30));
    assertThat(linear.cappedDelay(10_000)).isEqualTo(ofSeconds(30));
    assertThat(huge.cappedDelay(10_000)).isEqualTo(Duration.ofDays(365 * 200));

    Backoff.Sequence sequence = exponential.sequence();
    Duration last = null;
    for (int i = 0; i < 10_000; i++) {
      last = sequence.next();
    }
    assertThat(last).isEqualTo(ofSeconds(30));
    assertThat(sequence.attempts()).isEqualTo(10_000);
  }

  @Test
  void cappedDelayIsTheCurveBeforeJitter() {
    Backoff backoff =
        Backoff.exponential(ofMillis(100), ofMillis(500)).jitter(Jitter.full()).build();

    assertThat(backoff.cappedDelay(1)).isEqualTo(ofMillis(100));
    assertThat(backoff.cappedDelay(3)).isEqualTo(ofMillis(400));
    assertThat(backoff.cappedDelay(4)).isEqualTo(ofMillis(500));
    assertThatThrownBy(() -> backoff.cappedDelay(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempt must be at least 1, was 0");
  }

  @Test
  void jitterIsAppliedAfterTheCapSoItDoesNotVanishThere() {
    Backoff backoff =
        Backoff.exponential(ofMillis(100), ofSeconds(1))
            .jitter(Jitter.full())
            .random(constant(0.5))
            .build();

    List<Duration> delays = first(8, backoff);

    assertThat(delays.subList(4, 8)).containsOnly(ofMillis(500));
  }

  @Test
  void fullEqualAndProportionalJitterFollowBrookersFormulas() {
    Duration d = ofMillis(400);
    assertThat(
            Backoff.fixed(d).jitter(Jitter.full()).random(constant(0.25)).build().sequence().next())
        .isEqualTo(ofMillis(100));
    assertThat(
            Backoff.fixed(d).jitter(Jitter.equal()).random(constant(0.5)).build().sequence().next())
        .isEqualTo(ofMillis(300));
    assertThat(
            Backoff.fixed(d)
                .jitter(Jitter.proportional(0.5))
                .random(constant(0.0))
                .build()
                .sequence()
                .next())
        .isEqualTo(ofMillis(200));
    assertThat(
            Backoff.fixed(d)
                .jitter(Jitter.proportional(0.5))
                .random(constant(0.75))
                .build()
                .sequence()
                .next())
        .isEqualTo(ofMillis(500));
  }

  @Test
  void decorrelatedGrowsFromItsOwnPreviousDelay() {
    // rand(initial, 3 * previous) with rand = 1/2: 100 -> 100 + (300 - 100)/2 = 200 -> 100 +
    // (600 - 100)/2 = 350 -> 575 -> 912.5 -> capped at 1000
    Backoff backoff =
        Backoff.exponential(ofMillis(100), ofSeconds(1))
            .jitter(Jitter.decorrelated())
            .random(constant(0.5))
            .build();

    assertThat(first(6, backoff))
        .containsExactly(
            ofMillis(200),
            ofMillis(350),
            ofMillis(575),
            Duration.ofNanos(912_500_000),
            ofSeconds(1),
            ofSeconds(1));
  }

  @Test
  void decorrelatedJitterRefusesAZeroInitialDelayFromWhichItWouldNeverGrow() {
    // rand(0, 3 * 0) is 0 for ever: a linear curve from zero would retry in a hot loop
    Backoff.Builder fromZero =
        Backoff.linear(Duration.ZERO, ofMillis(100), ofSeconds(1)).jitter(Jitter.decorrelated());
    assertThatThrownBy(fromZero::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initial must be positive for decorrelated jitter");
  }

  @Test
  void aSeededGeneratorRepeatsTheSequenceAndEachSequenceStartsAfresh() {
    Backoff a =
        Backoff.exponential(ofMillis(10), ofSeconds(5))
            .jitter(Jitter.decorrelated())
            .random(new SplittableRandom(42))
            .build();
    Backoff b =
        Backoff.exponential(ofMillis(10), ofSeconds(5))
            .jitter(Jitter.decorrelated())
            .random(new SplittableRandom(42))
            .build();

    assertThat(first(20, a)).isEqualTo(first(20, b));
    assertThat(a.sequence().attempts()).isZero();
  }

  @Test
  void withoutAGeneratorJitterStillStaysInBounds() {
    Backoff backoff = Backoff.fixed(ofMillis(100)).jitter(Jitter.full()).build();

    assertThat(first(100, backoff))
        .allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, ofMillis(100)));
  }

  @Test
  void configAndToStringDescribeTheRecipe() {
    Backoff backoff =
        Backoff.exponential(ofMillis(100), ofSeconds(2))
            .multiplier(1.5)
            .jitter(Jitter.proportional(0.25))
            .build();

    assertThat(backoff.config())
        .isEqualTo(
            new Backoff.Config(
                Backoff.Kind.EXPONENTIAL,
                ofMillis(100),
                Duration.ZERO,
                1.5,
                ofSeconds(2),
                Jitter.proportional(0.25)));
    assertThat(backoff)
        .hasToString("Backoff[exponential 100ms x1.5 up to 2s, jitter=Proportional[factor=0.25]]");
    assertThat(Backoff.fixed(ofMillis(5)).build()).hasToString("Backoff[fixed 5ms, jitter=None[]]");
    assertThat(Backoff.linear(ofMillis(1), ofMillis(2), ofMillis(3)).build())
        .hasToString("Backoff[linear 1ms +2ms up to 3ms, jitter=None[]]");
  }
}
