package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad configuration, refused at {@code build()} with a message naming setting, rule, value.
 */
class BulkheadConfigurationTest {

  static Stream<Arguments> badConfigurations() {
    return Stream.of(
        bad(
            "maxConcurrentCalls 0",
            () -> Bulkhead.builder("b").maxConcurrentCalls(0).build(),
            IllegalArgumentException.class,
            "maxConcurrentCalls must be at least 1, was 0"),
        bad(
            "maxConcurrentCalls negative",
            () -> Bulkhead.builder("b").maxConcurrentCalls(-3).build(),
            IllegalArgumentException.class,
            "maxConcurrentCalls must be at least 1, was -3"),
        bad(
            "negative maxWait",
            () -> Bulkhead.builder("b").maxWait(Duration.ofMillis(-1)).build(),
            IllegalArgumentException.class,
            "maxWait must not be negative, was -1ms"),
        bad(
            "null maxWait",
            () -> Bulkhead.builder("b").maxWait(null).build(),
            NullPointerException.class,
            "maxWait"),
        bad(
            "null time source",
            () -> Bulkhead.builder("b").timeSource(null).build(),
            NullPointerException.class,
            "timeSource"),
        bad("null name", () -> Bulkhead.builder(null).build(), NullPointerException.class, "name"),
        bad(
            "adaptive null name",
            () -> AdaptiveBulkhead.builder(null).build(),
            NullPointerException.class,
            "name"),
        bad(
            "adaptive minLimit 0",
            () -> AdaptiveBulkhead.builder("a").minLimit(0).build(),
            IllegalArgumentException.class,
            "minLimit must be at least 1, was 0"),
        bad(
            "adaptive min > max",
            () -> AdaptiveBulkhead.builder("a").minLimit(50).maxLimit(10).initialLimit(10).build(),
            IllegalArgumentException.class,
            "maxLimit must be at least minLimit (50), was 10"),
        bad(
            "adaptive initial below min",
            () -> AdaptiveBulkhead.builder("a").minLimit(5).initialLimit(4).build(),
            IllegalArgumentException.class,
            "initialLimit must be in [5, 200] (minLimit, maxLimit), was 4"),
        bad(
            "adaptive initial above max",
            () -> AdaptiveBulkhead.builder("a").maxLimit(30).initialLimit(31).build(),
            IllegalArgumentException.class,
            "initialLimit must be in [1, 30] (minLimit, maxLimit), was 31"),
        bad(
            "adaptive zero timeout",
            () -> AdaptiveBulkhead.builder("a").timeout(Duration.ZERO).build(),
            IllegalArgumentException.class,
            "timeout must be positive, was 0s"),
        bad(
            "adaptive negative timeout",
            () -> AdaptiveBulkhead.builder("a").timeout(Duration.ofSeconds(-2)).build(),
            IllegalArgumentException.class,
            "timeout must be positive, was -2s"),
        bad(
            "adaptive negative maxWait",
            () -> AdaptiveBulkhead.builder("a").maxWait(Duration.ofNanos(-5)).build(),
            IllegalArgumentException.class,
            "maxWait must not be negative, was -5ns"),
        bad(
            "adaptive null algorithm",
            () -> AdaptiveBulkhead.builder("a").algorithm(null).build(),
            NullPointerException.class,
            "algorithm"),
        bad(
            "adaptive null timeout",
            () -> AdaptiveBulkhead.builder("a").timeout(null).build(),
            NullPointerException.class,
            "timeout"),
        bad(
            "adaptive null maxWait",
            () -> AdaptiveBulkhead.builder("a").maxWait(null).build(),
            NullPointerException.class,
            "maxWait"),
        bad(
            "adaptive null dropWhen",
            () -> AdaptiveBulkhead.builder("a").dropWhen(null).build(),
            NullPointerException.class,
            "dropWhen"),
        bad(
            "adaptive null time source",
            () -> AdaptiveBulkhead.builder("a").timeSource(null).build(),
            NullPointerException.class,
            "timeSource"),
        bad(
            "aimd backoffRatio 0",
            () -> LimitAlgorithm.aimd().backoffRatio(0).build(),
            IllegalArgumentException.class,
            "backoffRatio must be in (0, 1), was 0.0"),
        bad(
            "aimd backoffRatio 1",
            () -> LimitAlgorithm.aimd().backoffRatio(1).build(),
            IllegalArgumentException.class,
            "backoffRatio must be in (0, 1), was 1.0"),
        bad(
            "aimd backoffRatio NaN",
            () -> LimitAlgorithm.aimd().backoffRatio(Double.NaN).build(),
            IllegalArgumentException.class,
            "backoffRatio must be in (0, 1), was NaN"),
        bad(
            "capacity headroom 0",
            () -> LimitAlgorithm.capacity().headroom(0).build(),
            IllegalArgumentException.class,
            "headroom must be in (0, 1], was 0.0"),
        bad(
            "capacity headroom above 1",
            () -> LimitAlgorithm.capacity().headroom(1.5).build(),
            IllegalArgumentException.class,
            "headroom must be in (0, 1], was 1.5"),
        bad(
            "capacity headroom NaN",
            () -> LimitAlgorithm.capacity().headroom(Double.NaN).build(),
            IllegalArgumentException.class,
            "headroom must be in (0, 1], was NaN"),
        bad(
            "capacity smoothing 0",
            () -> LimitAlgorithm.capacity().smoothing(0).build(),
            IllegalArgumentException.class,
            "smoothing must be in (0, 1], was 0.0"),
        bad(
            "capacity windowSamples 0",
            () -> LimitAlgorithm.capacity().windowSamples(0).build(),
            IllegalArgumentException.class,
            "windowSamples must be at least 1, was 0"),
        bad(
            "capacity probeInterval zero",
            () -> LimitAlgorithm.capacity().probeInterval(Duration.ZERO).build(),
            IllegalArgumentException.class,
            "probeInterval must be positive, was 0s"),
        bad(
            "capacity probeInterval negative",
            () -> LimitAlgorithm.capacity().probeInterval(Duration.ofSeconds(-1)).build(),
            IllegalArgumentException.class,
            "probeInterval must be positive, was -1s"),
        bad(
            "gradient tolerance below 1",
            () -> LimitAlgorithm.gradient().tolerance(0.9).build(),
            IllegalArgumentException.class,
            "tolerance must be at least 1.0, was 0.9"),
        bad(
            "gradient smoothing 0",
            () -> LimitAlgorithm.gradient().smoothing(0).build(),
            IllegalArgumentException.class,
            "smoothing must be in (0, 1], was 0.0"),
        bad(
            "gradient smoothing above 1",
            () -> LimitAlgorithm.gradient().smoothing(1.5).build(),
            IllegalArgumentException.class,
            "smoothing must be in (0, 1], was 1.5"),
        bad(
            "gradient negative queueSize",
            () -> LimitAlgorithm.gradient().queueSize(-1).build(),
            IllegalArgumentException.class,
            "queueSize must be at least 0, was -1"),
        bad(
            "gradient longWindow 0",
            () -> LimitAlgorithm.gradient().longWindow(0).build(),
            IllegalArgumentException.class,
            "longWindow must be at least 1, was 0"),
        bad(
            "gradient windowSamples 0",
            () -> LimitAlgorithm.gradient().windowSamples(0).build(),
            IllegalArgumentException.class,
            "windowSamples must be at least 1, was 0"));
  }

  private static Arguments bad(
      String name, Supplier<?> build, Class<? extends Throwable> type, String message) {
    return Arguments.of(name, build, type, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigurations")
  void refusesBadConfigurationAtBuildWithAMessageNamingSettingRuleAndValue(
      String name, Supplier<?> build, Class<? extends Throwable> type, String message) {
    assertThatThrownBy(build::get).isExactlyInstanceOf(type).hasMessage(message);
  }
}
