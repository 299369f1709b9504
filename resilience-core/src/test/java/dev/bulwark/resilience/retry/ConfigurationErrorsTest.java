package dev.bulwark.resilience.retry;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.backoff.Jitter;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bad configuration of Backoff, Jitter, RetryBudget and Retry, with the exact message it
 * fails with at {@code build()} (or at the factory, for a jitter's factor).
 */
class ConfigurationErrorsTest {

  private record Case(String what, ThrowingCallable build, Class<?> type, String message) {}

  private static Case iae(String what, ThrowingCallable build, String message) {
    return new Case(what, build, IllegalArgumentException.class, message);
  }

  private static Case npe(String what, ThrowingCallable build, String setting) {
    return new Case(what, build, NullPointerException.class, setting);
  }

  private static final Duration NEG = ofMillis(-1);
  private static final Duration HUGE = Duration.ofDays(365L * 300);

  private static Stream<DynamicTest> tests(List<Case> cases) {
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.what(),
                    () ->
                        assertThatThrownBy(c.build())
                            .isExactlyInstanceOf(c.type())
                            .hasMessage(c.message())));
  }

  @TestFactory
  Stream<DynamicTest> backoff() {
    return tests(
        List.of(
            iae(
                "fixed: negative delay",
                () -> Backoff.fixed(NEG).build(),
                "delay must not be negative, was -1ms"),
            npe("fixed: null delay", () -> Backoff.fixed(null).build(), "delay"),
            iae(
                "fixed: delay beyond the range of nanoseconds",
                () -> Backoff.fixed(HUGE).build(),
                "delay must be at most 9223372036.855s (the range of nanoseconds), was"
                    + " 9460800000s"),
            iae(
                "linear: negative initial",
                () -> Backoff.linear(NEG, ofMillis(1), ofSeconds(1)).build(),
                "initial must not be negative, was -1ms"),
            iae(
                "linear: negative increment",
                () -> Backoff.linear(ofMillis(1), NEG, ofSeconds(1)).build(),
                "increment must not be negative, was -1ms"),
            iae(
                "linear: negative max",
                () -> Backoff.linear(Duration.ZERO, ofMillis(1), NEG).build(),
                "max must not be negative, was -1ms"),
            iae(
                "linear: max below initial",
                () -> Backoff.linear(ofMillis(200), ofMillis(1), ofMillis(100)).build(),
                "max must be at least initial (200ms), was 100ms"),
            npe(
                "linear: null initial",
                () -> Backoff.linear(null, ofMillis(1), ofSeconds(1)).build(),
                "initial"),
            npe(
                "linear: null increment",
                () -> Backoff.linear(ofMillis(1), null, ofSeconds(1)).build(),
                "increment"),
            npe(
                "linear: null max",
                () -> Backoff.linear(ofMillis(1), ofMillis(1), null).build(),
                "max"),
            iae(
                "exponential: zero initial",
                () -> Backoff.exponential(Duration.ZERO, ofSeconds(1)).build(),
                "initial must be positive, was 0s"),
            iae(
                "exponential: negative initial",
                () -> Backoff.exponential(NEG, ofSeconds(1)).build(),
                "initial must be positive, was -1ms"),
            iae(
                "exponential: negative max",
                () -> Backoff.exponential(ofMillis(1), NEG).build(),
                "max must not be negative, was -1ms"),
            iae(
                "exponential: max below initial",
                () -> Backoff.exponential(ofSeconds(1), ofMillis(500)).build(),
                "max must be at least initial (1s), was 500ms"),
            iae(
                "exponential: max beyond the range of nanoseconds",
                () -> Backoff.exponential(ofSeconds(1), HUGE).build(),
                "max must be at most 9223372036.855s (the range of nanoseconds), was 9460800000s"),
            iae(
                "exponential: multiplier of 1",
                () -> Backoff.exponential(ofMillis(1), ofSeconds(1)).multiplier(1).build(),
                "multiplier must be greater than 1.0, was 1.0"),
            iae(
                "exponential: multiplier below 1",
                () -> Backoff.exponential(ofMillis(1), ofSeconds(1)).multiplier(0.5).build(),
                "multiplier must be greater than 1.0, was 0.5"),
            iae(
                "exponential: multiplier NaN",
                () -> Backoff.exponential(ofMillis(1), ofSeconds(1)).multiplier(Double.NaN).build(),
                "multiplier must be greater than 1.0, was NaN"),
            iae(
                "exponential: infinite multiplier",
                () ->
                    Backoff.exponential(ofMillis(1), ofSeconds(1))
                        .multiplier(Double.POSITIVE_INFINITY)
                        .build(),
                "multiplier must be finite, was Infinity"),
            npe(
                "exponential: null initial",
                () -> Backoff.exponential(null, ofSeconds(1)).build(),
                "initial"),
            npe(
                "exponential: null max",
                () -> Backoff.exponential(ofMillis(1), null).build(),
                "max"),
            iae(
                "linear: decorrelated jitter from a zero initial delay",
                () ->
                    Backoff.linear(Duration.ZERO, ofMillis(100), ofSeconds(1))
                        .jitter(Jitter.decorrelated())
                        .build(),
                "initial must be positive for decorrelated jitter (it grows from initial), was 0s"),
            iae(
                "fixed: decorrelated jitter of a zero delay",
                () -> Backoff.fixed(Duration.ZERO).jitter(Jitter.decorrelated()).build(),
                "delay must be positive for decorrelated jitter (it grows from initial), was 0s"),
            npe("null jitter", () -> Backoff.fixed(ofMillis(1)).jitter(null).build(), "jitter"),
            npe(
                "null random generator",
                () -> Backoff.fixed(ofMillis(1)).random(null).build(),
                "random")));
  }

  @TestFactory
  Stream<DynamicTest> jitter() {
    return tests(
        List.of(
            iae(
                "proportional: zero factor",
                () -> Jitter.proportional(0),
                "jitter factor must be in (0, 1], was 0.0"),
            iae(
                "proportional: negative factor",
                () -> Jitter.proportional(-0.1),
                "jitter factor must be in (0, 1], was -0.1"),
            iae(
                "proportional: factor above 1",
                () -> Jitter.proportional(1.5),
                "jitter factor must be in (0, 1], was 1.5"),
            iae(
                "proportional: factor NaN",
                () -> Jitter.proportional(Double.NaN),
                "jitter factor must be in (0, 1], was NaN")));
  }

  @TestFactory
  Stream<DynamicTest> retryBudget() {
    return tests(
        List.of(
            iae(
                "negative ratio",
                () -> RetryBudget.builder().ratio(-0.1).build(),
                "ratio must be in [0, 1], was -0.1"),
            iae(
                "ratio above 1",
                () -> RetryBudget.builder().ratio(1.01).build(),
                "ratio must be in [0, 1], was 1.01"),
            iae(
                "ratio NaN",
                () -> RetryBudget.builder().ratio(Double.NaN).build(),
                "ratio must be in [0, 1], was NaN"),
            iae(
                "negative minRetriesPerSecond",
                () -> RetryBudget.builder().minRetriesPerSecond(-1).build(),
                "minRetriesPerSecond must be at least 0, was -1"),
            iae(
                "window below 10ms",
                () -> RetryBudget.builder().window(ofMillis(9)).build(),
                "window must be at least 10ms, was 9ms"),
            iae(
                "negative window",
                () -> RetryBudget.builder().window(ofSeconds(-1)).build(),
                "window must be at least 10ms, was -1s"),
            iae(
                "window beyond the range of nanoseconds",
                () -> RetryBudget.builder().window(HUGE).build(),
                "window must be at most 9223372036.855s (the range of nanoseconds), was"
                    + " 9460800000s"),
            npe("null window", () -> RetryBudget.builder().window(null).build(), "window"),
            npe(
                "null time source",
                () -> RetryBudget.builder().timeSource(null).build(),
                "timeSource")));
  }

  @TestFactory
  Stream<DynamicTest> retry() {
    return tests(
        List.of(
            npe("null name", () -> Retry.builder(null).build(), "name"),
            iae("blank name", () -> Retry.builder(" ").build(), "name must not be blank, was ' '"),
            iae(
                "maxAttempts of 0",
                () -> Retry.builder("r").maxAttempts(0).build(),
                "maxAttempts must be at least 1, was 0"),
            iae(
                "negative maxAttempts",
                () -> Retry.builder("r").maxAttempts(-3).build(),
                "maxAttempts must be at least 1, was -3"),
            iae(
                "zero maxDuration",
                () -> Retry.builder("r").maxDuration(Duration.ZERO).build(),
                "maxDuration must be positive, was 0s"),
            iae(
                "negative maxDuration",
                () -> Retry.builder("r").maxDuration(ofSeconds(-2)).build(),
                "maxDuration must be positive, was -2s"),
            npe(
                "null maxDuration",
                () -> Retry.builder("r").maxDuration(null).build(),
                "maxDuration"),
            npe("null backoff", () -> Retry.builder("r").backoff(null).build(), "backoff"),
            iae(
                "retryOn with no type",
                () -> Retry.builder("r").retryOn().build(),
                "retryOn must name at least one exception type, was none"),
            npe(
                "null retryOn array",
                () -> Retry.builder("r").retryOn((Class<? extends Exception>[]) null).build(),
                "retryOn"),
            npe(
                "null retryOn type",
                () -> Retry.builder("r").retryOn(IOException.class, null).build(),
                "retryOn[1]"),
            npe("null retryIf", () -> Retry.builder("r").retryIf(null).build(), "retryIf"),
            npe(
                "null retryOnResult",
                () -> Retry.builder("r").retryOnResult(null).build(),
                "retryOnResult"),
            npe("null budget", () -> Retry.builder("r").budget(null).build(), "budget"),
            npe(
                "null time source",
                () -> Retry.builder("r").timeSource(null).build(),
                "timeSource")));
  }
}
