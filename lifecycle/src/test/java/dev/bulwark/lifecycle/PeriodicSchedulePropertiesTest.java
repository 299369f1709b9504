package dev.bulwark.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The schedule arithmetic of {@link PeriodicTask}, as properties over arbitrary timings. */
class PeriodicSchedulePropertiesTest {

  @Property
  void aFixedRateTickStaysOnTheGridLiesAheadAndSkipsNoMoreThanItMust(
      @ForAll @LongRange(min = 1, max = 10_000_000_000L) long period,
      @ForAll long due,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long iterationEndsAfterDue) {
    long now = due + iterationEndsAfterDue;
    long next = PeriodicTask.nextDue(PeriodicTask.Schedule.FIXED_RATE, due, now, period);
    assertThat(Math.floorMod(next - due, period)).as("on the grid").isZero();
    assertThat(next - now).as("ahead of now").isPositive();
    assertThat(next - now).as("the first tick ahead, not a later one").isLessThanOrEqualTo(period);
    assertThat(next - due).as("at least one period later").isGreaterThanOrEqualTo(period);
  }

  @Property
  void aFixedDelayTickIsOnePeriodAfterTheIterationEnds(
      @ForAll @LongRange(min = 1, max = 10_000_000_000L) long period,
      @ForAll long due,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long iterationEndsAfterDue) {
    long now = due + iterationEndsAfterDue;
    assertThat(PeriodicTask.nextDue(PeriodicTask.Schedule.FIXED_DELAY, due, now, period))
        .isEqualTo(now + period);
  }
}
