package dev.bulwark.resilience.ratelimit;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad configuration of both limiters, and the exact message it is refused with. */
class RateLimiterConfigurationTest {

  static Stream<Arguments> badRateLimiters() {
    return Stream.of(
        plain(
            b -> RateLimiter.builder("api"),
            IllegalStateException.class,
            "rate is required: set it with .rate(int, Duration)"),
        plain(
            b -> b.rate(0, ofSeconds(1)),
            IllegalArgumentException.class,
            "rate permits must be at least 1, was 0"),
        plain(
            b -> b.rate(-5, ofSeconds(1)),
            IllegalArgumentException.class,
            "rate permits must be at least 1, was -5"),
        plain(
            b -> b.rate(10, Duration.ZERO),
            IllegalArgumentException.class,
            "rate period must be positive, was 0s"),
        plain(
            b -> b.rate(10, ofMillis(-1)),
            IllegalArgumentException.class,
            "rate period must be positive, was -1ms"),
        plain(
            b -> b.rate(10, Duration.ofDays(366)),
            IllegalArgumentException.class,
            "rate period must be at most 365 days, was 31622400s"),
        plain(b -> b.rate(10, null), NullPointerException.class, "rate period"),
        plain(
            b -> b.rate(10, ofSeconds(1)).burst(0),
            IllegalArgumentException.class,
            "burst must be at least 1, was 0"),
        plain(
            b -> b.rate(10, ofSeconds(1)).burst(-1),
            IllegalArgumentException.class,
            "burst must be at least 1, was -1"),
        plain(
            b -> b.rate(10, ofSeconds(1)).maxWait(ofMillis(-1)),
            IllegalArgumentException.class,
            "maxWait must not be negative, was -1ms"),
        plain(b -> b.rate(10, ofSeconds(1)).maxWait(null), NullPointerException.class, "maxWait"),
        plain(
            b -> b.rate(10, ofSeconds(1)).timeSource(null),
            NullPointerException.class,
            "timeSource"),
        plain(
            b -> b.rate(1, Duration.ofDays(365)).burst(Integer.MAX_VALUE),
            IllegalArgumentException.class,
            "burst 2147483647 at 1 per 31536000s takes too long to refill to be represented"
                + " exactly; lower the burst or raise the rate"),
        plain(b -> b.rate(10, ofSeconds(1)).store(null), NullPointerException.class, "store"));
  }

  @ParameterizedTest
  @MethodSource("badRateLimiters")
  void rateLimiterRefusesBadConfiguration(
      UnaryOperator<RateLimiter.Builder> settings,
      Class<? extends Exception> type,
      String message) {
    assertThatThrownBy(() -> settings.apply(RateLimiter.builder("api")).build())
        .isInstanceOf(type)
        .hasMessage(message);
  }

  static Stream<Arguments> badKeyedRateLimiters() {
    return Stream.of(
        keyed(
            b -> KeyedRateLimiter.builder("api"),
            IllegalStateException.class,
            "rate is required: set it with .rate(int, Duration)"),
        keyed(
            b -> b.rate(0, ofSeconds(1)),
            IllegalArgumentException.class,
            "rate permits must be at least 1, was 0"),
        keyed(
            b -> b.rate(10, Duration.ZERO),
            IllegalArgumentException.class,
            "rate period must be positive, was 0s"),
        keyed(
            b -> b.rate(10, ofSeconds(-2)),
            IllegalArgumentException.class,
            "rate period must be positive, was -2s"),
        keyed(b -> b.rate(10, null), NullPointerException.class, "rate period"),
        keyed(
            b -> b.rate(10, ofSeconds(1)).burst(0),
            IllegalArgumentException.class,
            "burst must be at least 1, was 0"),
        keyed(
            b -> b.rate(10, ofSeconds(1)).maxWait(ofSeconds(-1)),
            IllegalArgumentException.class,
            "maxWait must not be negative, was -1s"),
        keyed(
            b -> b.rate(10, ofSeconds(1)).maxKeys(0),
            IllegalArgumentException.class,
            "maxKeys must be at least 1, was 0"),
        keyed(
            b -> b.rate(10, ofSeconds(1)).maxKeys(-3),
            IllegalArgumentException.class,
            "maxKeys must be at least 1, was -3"),
        keyed(
            b -> b.rate(10, ofSeconds(1)).burst(5).expireAfterIdle(ofMillis(499)),
            IllegalArgumentException.class,
            "expireAfterIdle must be at least the refill time 500ms (burst 5 at 10 per 1s), was"
                + " 499ms; dropping a bucket before it is full would let its key exceed the rate"),
        keyed(
            b -> b.rate(10, ofSeconds(1)).expireAfterIdle(Duration.ZERO),
            IllegalArgumentException.class,
            "expireAfterIdle must be at least the refill time 1s (burst 10 at 10 per 1s), was 0s;"
                + " dropping a bucket before it is full would let its key exceed the rate"),
        keyed(
            b -> b.rate(10, ofSeconds(1)).expireAfterIdle(null),
            NullPointerException.class,
            "expireAfterIdle"),
        keyed(
            b -> b.rate(10, ofSeconds(1)).timeSource(null),
            NullPointerException.class,
            "timeSource"),
        keyed(b -> b.rate(10, ofSeconds(1)).store(null), NullPointerException.class, "store"));
  }

  @ParameterizedTest
  @MethodSource("badKeyedRateLimiters")
  void keyedRateLimiterRefusesBadConfiguration(
      UnaryOperator<KeyedRateLimiter.Builder<Object>> settings,
      Class<? extends Exception> type,
      String message) {
    assertThatThrownBy(() -> settings.apply(KeyedRateLimiter.builder("api")).build())
        .isInstanceOf(type)
        .hasMessage(message);
  }

  private static Arguments plain(
      UnaryOperator<RateLimiter.Builder> settings,
      Class<? extends Exception> type,
      String message) {
    return Arguments.of(settings, type, message);
  }

  private static Arguments keyed(
      UnaryOperator<KeyedRateLimiter.Builder<Object>> settings,
      Class<? extends Exception> type,
      String message) {
    return Arguments.of(settings, type, message);
  }
}
