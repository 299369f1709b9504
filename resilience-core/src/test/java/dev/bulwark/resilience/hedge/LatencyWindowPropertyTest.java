package dev.bulwark.resilience.hedge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class LatencyWindowPropertyTest {

  @Property(tries = 300)
  void theDelayIsTheNearestRankPercentileOfTheRecentSamples(
      @ForAll @Size(min = 20, max = 400) List<@LongRange(min = 0, max = 10_000_000) Long> samples,
      @ForAll @DoubleRange(min = 0.5, max = 100) double percentile) {
    LatencyWindow window = new LatencyWindow(percentile, -7);
    int lastRecompute = 0;
    for (int i = 0; i < samples.size(); i++) {
      window.record(samples.get(i));
      int recorded = i + 1;
      if (recorded == LatencyWindow.MIN_SAMPLES || recorded % LatencyWindow.RECOMPUTE_EVERY == 0) {
        lastRecompute = recorded;
      }
    }
    int from = Math.max(0, lastRecompute - LatencyWindow.SIZE);
    long[] recent =
        samples.subList(from, lastRecompute).stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(recent);
    int rank = (int) Math.ceil(percentile / 100.0 * recent.length);
    assertThat(window.delayNanos()).isEqualTo(recent[Math.max(1, rank) - 1]);
  }
}
