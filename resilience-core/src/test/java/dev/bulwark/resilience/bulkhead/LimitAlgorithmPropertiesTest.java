package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Whatever the samples, a limit stays within the bounds it was started with. */
class LimitAlgorithmPropertiesTest {

  record Sample(long startNanos, long rttNanos, int inflight, boolean dropped) {}

  @Provide
  Arbitrary<List<Sample>> samples() {
    Arbitrary<Sample> sample =
        Combinators.combine(
                Arbitraries.longs().between(-1_000_000_000L, 1_000_000_000L),
                Arbitraries.longs().between(0, 2_000_000_000L),
                Arbitraries.integers().between(0, 500),
                Arbitraries.of(true, false))
            .as(Sample::new);
    return sample.list().ofMaxSize(300);
  }

  @Provide
  Arbitrary<LimitAlgorithm> algorithms() {
    Arbitrary<LimitAlgorithm> aimd =
        Arbitraries.doubles()
            .between(0.01, 0.99)
            .map(r -> LimitAlgorithm.aimd().backoffRatio(r).build());
    Arbitrary<LimitAlgorithm> gradient =
        Combinators.combine(
                Arbitraries.doubles().between(1, 3),
                Arbitraries.doubles().between(0.01, 1),
                Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(1, 1000),
                Arbitraries.integers().between(1, 20))
            .as(
                (tolerance, smoothing, queue, longWindow, windowSamples) ->
                    LimitAlgorithm.gradient()
                        .tolerance(tolerance)
                        .smoothing(smoothing)
                        .queueSize(queue)
                        .longWindow(longWindow)
                        .windowSamples(windowSamples)
                        .build());
    Arbitrary<LimitAlgorithm> capacity =
        Combinators.combine(
                Arbitraries.doubles().between(0.01, 1),
                Arbitraries.doubles().between(0.01, 1),
                Arbitraries.integers().between(1, 20),
                Arbitraries.longs().between(1, 2_000_000_000L))
            .as(
                (headroom, smoothing, windowSamples, probeNanos) ->
                    LimitAlgorithm.capacity()
                        .headroom(headroom)
                        .smoothing(smoothing)
                        .windowSamples(windowSamples)
                        .probeInterval(Duration.ofNanos(probeNanos))
                        .build());
    return Arbitraries.oneOf(aimd, gradient, capacity);
  }

  @Property(tries = 300)
  void theLimitStaysWithinItsBounds(
      @ForAll("algorithms") LimitAlgorithm algorithm,
      @ForAll("samples") List<Sample> samples,
      @ForAll @IntRange(min = 1, max = 50) int min,
      @ForAll @IntRange(min = 0, max = 100) int span,
      @ForAll @IntRange(min = 0, max = 100) int initialOffset) {
    int max = min + span;
    int initial = min + initialOffset % (span + 1);
    LimitAlgorithm.Limit limit = algorithm.start(initial, min, max);
    assertThat(limit.current()).isEqualTo(initial);
    for (Sample s : samples) {
      int next = limit.onSample(s.startNanos(), s.rttNanos(), s.inflight(), s.dropped());
      assertThat(next).isBetween(min, max).isEqualTo(limit.current());
    }
  }
}
