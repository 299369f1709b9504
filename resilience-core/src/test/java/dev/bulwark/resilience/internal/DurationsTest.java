package dev.bulwark.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void formatsInTheLargestUnitThatKeepsTheValueAtLeastOne() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofNanos(999))).isEqualTo("999ns");
    assertThat(Durations.format(Duration.ofNanos(12_500))).isEqualTo("12.5µs");
    assertThat(Durations.format(Duration.ofMillis(150))).isEqualTo("150ms");
    assertThat(Durations.format(Duration.ofMillis(4_200))).isEqualTo("4.2s");
    assertThat(Durations.format(Duration.ofSeconds(60))).isEqualTo("60s");
    assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("3600s");
  }

  @Test
  void keepsAtMostThreeDecimals() {
    assertThat(Durations.format(Duration.ofNanos(1_234_567))).isEqualTo("1.235ms");
    assertThat(Durations.format(Duration.ofNanos(1_000_400_000))).isEqualTo("1s");
  }

  @Test
  void formatsNegativeDurations() {
    assertThat(Durations.format(Duration.ofMillis(-100))).isEqualTo("-100ms");
    assertThat(Durations.format(Duration.ofMillis(-1_500))).isEqualTo("-1.5s");
    assertThat(Durations.formatNanos(-1)).isEqualTo("-1ns");
  }

  @Test
  void roundingNeverProducesAThousandOfAUnit() {
    assertThat(Durations.format(Duration.ofNanos(999_999_600))).isEqualTo("1s");
    assertThat(Durations.format(Duration.ofNanos(999_999_600).negated())).isEqualTo("-1s");
    assertThat(Durations.format(Duration.ofNanos(999_999_500))).isEqualTo("1s");
    assertThat(Durations.format(Duration.ofNanos(999_999_499))).isEqualTo("999.999ms");
  }

  @Test
  void formatsTheExtremes() {
    assertThat(Durations.format(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)))
        .isEqualTo("9223372036854775808s");
    assertThat(Durations.formatNanos(Long.MAX_VALUE)).isEqualTo("9223372036.855s");
  }

  @Property
  void theFastPathFormatsAsTheExactOneDoes(@ForAll long nanos) {
    Duration d = Duration.ofNanos(nanos);
    assertThat(Durations.format(d)).isEqualTo(Durations.formatExact(d));
  }

  @Property
  void theFastPathRoundsAtEveryUnitBoundaryAsTheExactOneDoes(
      @ForAll @LongRange(min = -3, max = 3) long offset,
      @ForAll @LongRange(min = 0, max = 11) int power) {
    long boundary = (long) Math.pow(10, power);
    for (long n :
        new long[] {
          boundary + offset, boundary / 2 + offset, boundary - boundary / 2000 + offset
        }) {
      Duration d = Duration.ofNanos(n);
      assertThat(Durations.format(d)).isEqualTo(Durations.formatExact(d));
      assertThat(Durations.format(d.negated())).isEqualTo(Durations.formatExact(d.negated()));
    }
  }

  @Property
  void longDurationsFormatAsTheExactOneDoes(
      @ForAll @LongRange(min = -10_000_000_000L, max = 10_000_000_000L) long seconds,
      @ForAll @LongRange(min = 0, max = 999_999_999) long nano) {
    Duration d = Duration.ofSeconds(seconds, nano);
    assertThat(Durations.format(d)).isEqualTo(Durations.formatExact(d));
  }

  @Test
  void saturatedNanosIsExactWithinHalfTheLongRange() {
    assertThat(Durations.saturatedNanos(Duration.ZERO)).isZero();
    assertThat(Durations.saturatedNanos(Duration.ofNanos(1))).isEqualTo(1);
    assertThat(Durations.saturatedNanos(Duration.ofNanos(-1))).isEqualTo(-1);
    assertThat(Durations.saturatedNanos(Duration.ofSeconds(30))).isEqualTo(30_000_000_000L);
    assertThat(Durations.saturatedNanos(Duration.ofNanos(Durations.MAX_NANOS)))
        .isEqualTo(Durations.MAX_NANOS);
    assertThat(Durations.saturatedNanos(Duration.ofNanos(-Durations.MAX_NANOS)))
        .isEqualTo(-Durations.MAX_NANOS);
  }

  @Test
  void saturatedNanosClampsToHalfTheLongRangeOnBothSides() {
    assertThat(Durations.MAX_NANOS).isEqualTo(Long.MAX_VALUE / 2);
    assertThat(Durations.saturatedNanos(Duration.ofNanos(Durations.MAX_NANOS + 1)))
        .isEqualTo(Durations.MAX_NANOS);
    assertThat(Durations.saturatedNanos(Duration.ofNanos(-Durations.MAX_NANOS - 1)))
        .isEqualTo(-Durations.MAX_NANOS);
    assertThat(Durations.saturatedNanos(Duration.ofNanos(Long.MAX_VALUE)))
        .isEqualTo(Durations.MAX_NANOS);
    assertThat(Durations.saturatedNanos(Duration.ofNanos(Long.MIN_VALUE)))
        .isEqualTo(-Durations.MAX_NANOS);
    assertThat(Durations.saturatedNanos(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)))
        .isEqualTo(Durations.MAX_NANOS);
    assertThat(Durations.saturatedNanos(Duration.ofSeconds(Long.MIN_VALUE)))
        .isEqualTo(-Durations.MAX_NANOS);
    assertThat(Durations.saturatedNanos(ChronoUnit.FOREVER.getDuration()))
        .isEqualTo(Durations.MAX_NANOS);
  }

  @Property
  void saturatedNanosLetsAClockReadingPlusItCompareCorrectly(
      @ForAll long now, @ForAll @LongRange(min = 1) long seconds) {
    long deadline = now + Durations.saturatedNanos(Duration.ofSeconds(seconds));
    assertThat(deadline - now).isPositive();
  }
}
