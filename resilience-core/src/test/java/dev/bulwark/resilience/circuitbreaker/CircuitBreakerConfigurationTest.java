package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.backoff.Backoff;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad configuration, and the exact message that refuses it. */
class CircuitBreakerConfigurationTest {

  private static Arguments bad(String message, Consumer<CircuitBreaker.Builder> setting) {
    return Arguments.of(message, setting);
  }

  static Stream<Arguments> illegalSettings() {
    return Stream.of(
        bad("failureRateThreshold must be in (0, 100], was 0.0", b -> b.failureRateThreshold(0)),
        bad("failureRateThreshold must be in (0, 100], was -1.0", b -> b.failureRateThreshold(-1)),
        bad(
            "failureRateThreshold must be in (0, 100], was 100.5",
            b -> b.failureRateThreshold(100.5)),
        bad(
            "failureRateThreshold must be in (0, 100], was NaN",
            b -> b.failureRateThreshold(Double.NaN)),
        bad("slowCallRateThreshold must be in (0, 100], was 0.0", b -> b.slowCallRateThreshold(0)),
        bad(
            "slowCallRateThreshold must be in (0, 100], was 120.0",
            b -> b.slowCallRateThreshold(120)),
        bad("slowCallDuration must be positive, was 0s", b -> b.slowCallDuration(Duration.ZERO)),
        bad(
            "slowCallDuration must be positive, was -5ms",
            b -> b.slowCallDuration(Duration.ofMillis(-5))),
        bad("minimumCalls must be at least 1, was 0", b -> b.minimumCalls(0)),
        bad(
            "permittedCallsInHalfOpen must be at least 1, was 0",
            b -> b.permittedCallsInHalfOpen(0)),
        bad(
            "permittedCallsInHalfOpen must be at most 65535, was 65536",
            b -> b.permittedCallsInHalfOpen(65_536)),
        bad("openDuration must be positive, was 0s", b -> b.openDuration(Duration.ZERO)),
        bad("openDuration must be positive, was -1s", b -> b.openDuration(Duration.ofSeconds(-1))),
        bad(
            "openDuration must start above zero, was 0s",
            b -> b.openDuration(Backoff.fixed(Duration.ZERO).build())),
        bad("name must not be blank, was ' '", b -> {}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("illegalSettings")
  void buildRefusesAnIllegalSetting(String message, Consumer<CircuitBreaker.Builder> setting) {
    CircuitBreaker.Builder builder =
        CircuitBreaker.builder(message.startsWith("name") ? " " : "payments");
    setting.accept(builder);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  static Stream<Arguments> illegalWindows() {
    return Stream.of(
        Arguments.of(
            "slidingWindow size must be at least 1, was 0",
            (Runnable) () -> SlidingWindow.count(0)),
        Arguments.of(
            "slidingWindow size must be at least 1, was -3",
            (Runnable) () -> SlidingWindow.count(-3)),
        Arguments.of(
            "slidingWindow size must be at most 65535, was 65536",
            (Runnable) () -> SlidingWindow.count(65_536)),
        Arguments.of(
            "slidingWindow length must be at least 1s, was 500ms",
            (Runnable) () -> SlidingWindow.time(Duration.ofMillis(500))),
        Arguments.of(
            "slidingWindow length must be at least 1s, was 0s",
            (Runnable) () -> SlidingWindow.time(Duration.ZERO)),
        Arguments.of(
            "slidingWindow length must be at least 1s, was -2s",
            (Runnable) () -> SlidingWindow.time(Duration.ofSeconds(-2))),
        Arguments.of(
            "slidingWindow length must be whole seconds, was 1.5s",
            (Runnable) () -> SlidingWindow.time(Duration.ofMillis(1_500))),
        Arguments.of(
            "slidingWindow length must be at most 65535s, was 65536s",
            (Runnable) () -> SlidingWindow.time(Duration.ofSeconds(65_536))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("illegalWindows")
  void slidingWindowRefusesAnIllegalSize(String message, Runnable window) {
    assertThatThrownBy(window::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  static Stream<Arguments> nulls() {
    return Stream.of(
        Arguments.of("name", (Runnable) () -> CircuitBreaker.builder(null).build()),
        Arguments.of(
            "slowCallDuration",
            (Runnable) () -> CircuitBreaker.builder("p").slowCallDuration(null).build()),
        Arguments.of(
            "slidingWindow",
            (Runnable) () -> CircuitBreaker.builder("p").slidingWindow(null).build()),
        Arguments.of("slidingWindow length", (Runnable) () -> SlidingWindow.time(null)),
        Arguments.of(
            "openDuration",
            (Runnable) () -> CircuitBreaker.builder("p").openDuration((Duration) null).build()),
        Arguments.of(
            "openDuration",
            (Runnable) () -> CircuitBreaker.builder("p").openDuration((Backoff) null).build()),
        Arguments.of(
            "recordOn",
            (Runnable)
                () ->
                    CircuitBreaker.builder("p")
                        .recordOn((Class<? extends Throwable>[]) null)
                        .build()),
        Arguments.of(
            "recordOn",
            (Runnable)
                () ->
                    CircuitBreaker.builder("p")
                        .recordOn(IllegalStateException.class, null)
                        .build()),
        Arguments.of(
            "recordOn",
            (Runnable)
                () ->
                    CircuitBreaker.builder("p")
                        .recordOn((java.util.function.Predicate<Throwable>) null)
                        .build()),
        Arguments.of(
            "ignore",
            (Runnable)
                () ->
                    CircuitBreaker.builder("p")
                        .ignore((Class<? extends Throwable>[]) null)
                        .build()),
        Arguments.of(
            "ignore",
            (Runnable)
                () -> CircuitBreaker.builder("p").ignore(RuntimeException.class, null).build()),
        Arguments.of(
            "ignore",
            (Runnable)
                () ->
                    CircuitBreaker.builder("p")
                        .ignore((java.util.function.Predicate<Throwable>) null)
                        .build()),
        Arguments.of(
            "timeSource", (Runnable) () -> CircuitBreaker.builder("p").timeSource(null).build()),
        Arguments.of("call", (Runnable) () -> CircuitBreaker.builder("p").build().call(null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nulls")
  void nullsAreRefusedNamingTheSetting(String setting, Runnable withNull) {
    assertThatThrownBy(withNull::run).isInstanceOf(NullPointerException.class).hasMessage(setting);
  }
}
