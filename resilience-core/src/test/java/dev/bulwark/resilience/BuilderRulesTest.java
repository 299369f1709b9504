package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.bulkhead.AdaptiveBulkhead;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.fallback.Fallback;
import dev.bulwark.resilience.fanout.FanOut;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.timeout.Timeout;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules every builder of resilience-core shares beyond nulls (see {@link NullSettingsTest}): a
 * blank name is refused with one message that shows it, and a required setting that was never given
 * fails {@code build()} with an {@link IllegalStateException} that says how to set it.
 */
class BuilderRulesTest {

  private static final Duration SECOND = Duration.ofSeconds(1);

  /** Each builder, otherwise complete, given the name. */
  static Stream<Arguments> namedBuilders() {
    return Stream.of(
        named("Retry", name -> Retry.builder(name).build()),
        named("CircuitBreaker", name -> CircuitBreaker.builder(name).build()),
        named("Bulkhead", name -> Bulkhead.builder(name).build()),
        named("AdaptiveBulkhead", name -> AdaptiveBulkhead.builder(name).build()),
        named("RateLimiter", name -> RateLimiter.builder(name).rate(1, SECOND).build()),
        named(
            "KeyedRateLimiter",
            name -> KeyedRateLimiter.<String>builder(name).rate(1, SECOND).build()),
        named("Timeout", name -> Timeout.builder(name).timeout(SECOND).build()),
        named("Hedge", name -> Hedge.builder(name).delay(SECOND).build()),
        named("FanOut", name -> FanOut.builder(name).timeout(SECOND).build()),
        named("Fallback", name -> Fallback.to("x").named(name)));
  }

  private static Arguments named(String builder, Function<String, Object> build) {
    return Arguments.of(builder, build);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namedBuilders")
  void aBlankNameIsRefusedAndShown(String builder, Function<String, Object> build) {
    assertThatThrownBy(() -> build.apply(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was ' '");
    assertThatThrownBy(() -> build.apply(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was ''");
  }

  static Stream<Arguments> missingSettings() {
    return Stream.of(
        Arguments.of(
            "Timeout",
            (Runnable) () -> Timeout.builder("t").build(),
            "timeout is required: set it with .timeout(Duration)"),
        Arguments.of(
            "FanOut",
            (Runnable) () -> FanOut.builder("f").build(),
            "timeout is required: set it with .timeout(Duration)"),
        Arguments.of(
            "Hedge",
            (Runnable) () -> Hedge.builder("h").build(),
            "delay is required: set it with .delay(Duration) or .delayAtPercentile(double,"
                + " Duration)"),
        Arguments.of(
            "RateLimiter",
            (Runnable) () -> RateLimiter.builder("r").build(),
            "rate is required: set it with .rate(int, Duration)"),
        Arguments.of(
            "KeyedRateLimiter",
            (Runnable) () -> KeyedRateLimiter.builder("k").build(),
            "rate is required: set it with .rate(int, Duration)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingSettings")
  void aMissingRequiredSettingSaysWhatToSet(String builder, Runnable build, String message) {
    assertThatThrownBy(build::run).isInstanceOf(IllegalStateException.class).hasMessage(message);
  }
}
