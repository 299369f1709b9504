package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.backoff.Jitter;
import dev.bulwark.resilience.bulkhead.AdaptiveBulkhead;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.bulkhead.LimitAlgorithm;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.fanout.FanOut;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.timeout.Timeout;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The one rule for nulls in every builder of resilience-core: a builder's factory and setters take
 * whatever they are given, and {@code build()} refuses a null with a {@link NullPointerException}
 * whose message is the setting's name, as it validates every other setting.
 */
class NullSettingsTest {

  /** A configured builder, ready to build. */
  @FunctionalInterface
  interface Buildable {
    Object build();
  }

  /** Setting the null must not throw; building must, naming {@code setting}. */
  record Case(String builder, String setting, Supplier<Buildable> configure) {}

  private static final Duration MS = Duration.ofMillis(5);
  private static final Duration SECOND = Duration.ofSeconds(1);

  @SuppressWarnings("unchecked")
  private static final Class<? extends Exception>[] NO_EXCEPTION_TYPES = null;

  @SuppressWarnings("unchecked")
  private static final Class<? extends Throwable>[] NO_THROWABLE_TYPES = null;

  static List<Case> cases() {
    return List.of(
        new Case("Retry", "name", () -> Retry.builder(null)::build),
        new Case("Retry", "maxDuration", () -> Retry.builder("r").maxDuration(null)::build),
        new Case("Retry", "backoff", () -> Retry.builder("r").backoff(null)::build),
        new Case("Retry", "retryOn", () -> Retry.builder("r").retryOn(NO_EXCEPTION_TYPES)::build),
        new Case(
            "Retry",
            "retryOn[1]",
            () -> Retry.builder("r").retryOn(IOException.class, null)::build),
        new Case("Retry", "retryIf", () -> Retry.builder("r").retryIf(null)::build),
        new Case("Retry", "retryOnResult", () -> Retry.builder("r").retryOnResult(null)::build),
        new Case("Retry", "budget", () -> Retry.builder("r").budget(null)::build),
        new Case("Retry", "timeSource", () -> Retry.builder("r").timeSource(null)::build),
        new Case("RetryBudget", "window", () -> RetryBudget.builder().window(null)::build),
        new Case("RetryBudget", "timeSource", () -> RetryBudget.builder().timeSource(null)::build),
        new Case("Hedge", "name", () -> Hedge.builder(null).delay(MS)::build),
        new Case("Hedge", "delay", () -> Hedge.builder("h").delay(null)::build),
        new Case(
            "Hedge", "fallbackDelay", () -> Hedge.builder("h").delayAtPercentile(95, null)::build),
        new Case("Hedge", "budget", () -> Hedge.builder("h").delay(MS).budget(null)::build),
        new Case(
            "Hedge",
            "threadFactory",
            () -> Hedge.builder("h").delay(MS).threadFactory(null)::build),
        new Case("Hedge", "timeSource", () -> Hedge.builder("h").delay(MS).timeSource(null)::build),
        new Case(
            "Hedge",
            "contextPropagator",
            () -> Hedge.builder("h").delay(MS).contextPropagator(null)::build),
        new Case(
            "FanOut",
            "contextPropagator",
            () -> FanOut.builder("f").timeout(SECOND).contextPropagator(null)::build),
        new Case("CircuitBreaker", "name", () -> CircuitBreaker.builder(null)::build),
        new Case(
            "CircuitBreaker",
            "slowCallDuration",
            () -> CircuitBreaker.builder("c").slowCallDuration(null)::build),
        new Case(
            "CircuitBreaker",
            "slidingWindow",
            () -> CircuitBreaker.builder("c").slidingWindow(null)::build),
        new Case(
            "CircuitBreaker",
            "openDuration",
            () -> CircuitBreaker.builder("c").openDuration((Duration) null)::build),
        new Case(
            "CircuitBreaker",
            "openDuration",
            () -> CircuitBreaker.builder("c").openDuration((Backoff) null)::build),
        new Case(
            "CircuitBreaker",
            "recordOn",
            () -> CircuitBreaker.builder("c").recordOn(NO_THROWABLE_TYPES)::build),
        new Case(
            "CircuitBreaker",
            "recordOn",
            () -> CircuitBreaker.builder("c").recordOn(IOException.class, null)::build),
        new Case(
            "CircuitBreaker",
            "recordOn",
            () -> CircuitBreaker.builder("c").recordOn((Predicate<Throwable>) null)::build),
        new Case(
            "CircuitBreaker",
            "ignore",
            () -> CircuitBreaker.builder("c").ignore(NO_THROWABLE_TYPES)::build),
        new Case(
            "CircuitBreaker",
            "ignore",
            () -> CircuitBreaker.builder("c").ignore(IOException.class, null)::build),
        new Case(
            "CircuitBreaker",
            "ignore",
            () -> CircuitBreaker.builder("c").ignore((Predicate<Throwable>) null)::build),
        new Case(
            "CircuitBreaker",
            "timeSource",
            () -> CircuitBreaker.builder("c").timeSource(null)::build),
        new Case("FanOut", "name", () -> FanOut.builder(null).timeout(MS)::build),
        new Case("FanOut", "timeout", () -> FanOut.builder("f").timeout(null)::build),
        new Case(
            "FanOut",
            "cancelGrace",
            () -> FanOut.builder("f").timeout(MS).cancelGrace(null)::build),
        new Case(
            "FanOut", "timeSource", () -> FanOut.builder("f").timeout(MS).timeSource(null)::build),
        new Case(
            "FanOut",
            "threadFactory",
            () -> FanOut.builder("f").timeout(MS).threadFactory(null)::build),
        new Case("Bulkhead", "name", () -> Bulkhead.builder(null)::build),
        new Case("Bulkhead", "maxWait", () -> Bulkhead.builder("b").maxWait(null)::build),
        new Case("Bulkhead", "timeSource", () -> Bulkhead.builder("b").timeSource(null)::build),
        new Case("AdaptiveBulkhead", "name", () -> AdaptiveBulkhead.builder(null)::build),
        new Case(
            "AdaptiveBulkhead",
            "algorithm",
            () -> AdaptiveBulkhead.builder("a").algorithm(null)::build),
        new Case(
            "AdaptiveBulkhead",
            "timeout",
            () -> AdaptiveBulkhead.builder("a").timeout(null)::build),
        new Case(
            "AdaptiveBulkhead",
            "maxWait",
            () -> AdaptiveBulkhead.builder("a").maxWait(null)::build),
        new Case(
            "AdaptiveBulkhead",
            "dropWhen",
            () -> AdaptiveBulkhead.builder("a").dropWhen(null)::build),
        new Case(
            "AdaptiveBulkhead",
            "timeSource",
            () -> AdaptiveBulkhead.builder("a").timeSource(null)::build),
        new Case(
            "LimitAlgorithm.capacity",
            "probeInterval",
            () -> LimitAlgorithm.capacity().probeInterval(null)::build),
        new Case("Timeout", "name", () -> Timeout.builder(null).timeout(MS)::build),
        new Case("Timeout", "timeout", () -> Timeout.builder("t").timeout(null)::build),
        new Case(
            "Timeout",
            "timeSource",
            () -> Timeout.builder("t").timeout(MS).timeSource(null)::build),
        new Case("RateLimiter", "name", () -> RateLimiter.builder(null).rate(1, SECOND)::build),
        new Case("RateLimiter", "rate period", () -> RateLimiter.builder("l").rate(1, null)::build),
        new Case(
            "RateLimiter",
            "maxWait",
            () -> RateLimiter.builder("l").rate(1, SECOND).maxWait(null)::build),
        new Case(
            "RateLimiter",
            "timeSource",
            () -> RateLimiter.builder("l").rate(1, SECOND).timeSource(null)::build),
        new Case(
            "RateLimiter",
            "store",
            () -> RateLimiter.builder("l").rate(1, SECOND).store(null)::build),
        new Case(
            "KeyedRateLimiter",
            "name",
            () -> KeyedRateLimiter.builder(null).rate(1, SECOND)::build),
        new Case(
            "KeyedRateLimiter",
            "rate period",
            () -> KeyedRateLimiter.builder("k").rate(1, null)::build),
        new Case(
            "KeyedRateLimiter",
            "maxWait",
            () -> KeyedRateLimiter.builder("k").rate(1, SECOND).maxWait(null)::build),
        new Case(
            "KeyedRateLimiter",
            "timeSource",
            () -> KeyedRateLimiter.builder("k").rate(1, SECOND).timeSource(null)::build),
        new Case(
            "KeyedRateLimiter",
            "expireAfterIdle",
            () -> KeyedRateLimiter.builder("k").rate(1, SECOND).expireAfterIdle(null)::build),
        new Case(
            "KeyedRateLimiter",
            "store",
            () -> KeyedRateLimiter.builder("k").rate(1, SECOND).store(null)::build),
        new Case("Backoff", "delay", () -> Backoff.fixed(null)::build),
        new Case("Backoff", "initial", () -> Backoff.linear(null, MS, MS)::build),
        new Case("Backoff", "increment", () -> Backoff.linear(MS, null, MS)::build),
        new Case("Backoff", "max", () -> Backoff.linear(MS, MS, null)::build),
        new Case("Backoff", "initial", () -> Backoff.exponential(null, MS)::build),
        new Case("Backoff", "max", () -> Backoff.exponential(MS, null)::build),
        new Case("Backoff", "jitter", () -> Backoff.fixed(MS).jitter(null)::build),
        new Case(
            "Backoff",
            "random",
            () -> Backoff.fixed(MS).jitter(Jitter.full()).random(null)::build));
  }

  @Test
  void everyBuilderRefusesANullSettingAtBuildNamingIt() {
    List<Case> cases = cases();
    assertThat(cases).hasSize(68);
    SoftAssertions softly = new SoftAssertions();
    for (Case c : cases) {
      Buildable configured;
      try {
        configured = c.configure().get();
      } catch (RuntimeException e) {
        softly.fail("%s: setting %s to null threw at once: %s", c.builder(), c.setting(), e);
        continue;
      }
      softly
          .assertThatThrownBy(configured::build)
          .as("%s.build() with a null %s", c.builder(), c.setting())
          .isInstanceOf(NullPointerException.class)
          .hasMessage(c.setting());
    }
    softly.assertAll();
  }

  @Test
  void theSameBuildersBuildWithTheirSettingsGiven() {
    ThreadFactory threads = Thread.ofVirtual().factory();
    RandomGenerator random = RandomGenerator.getDefault();
    assertThat(Retry.builder("r").maxDuration(MS).budget(RetryBudget.builder().build()).build())
        .isNotNull();
    assertThat(Hedge.builder("h").delay(MS).threadFactory(threads).build()).isNotNull();
    assertThat(
            CircuitBreaker.builder("c")
                .slowCallDuration(MS)
                .slidingWindow(SlidingWindow.count(5))
                .recordOn(IOException.class)
                .ignore(e -> false)
                .build())
        .isNotNull();
    assertThat(FanOut.builder("f").timeout(MS).threadFactory(threads).build()).isNotNull();
    assertThat(Backoff.fixed(MS).jitter(Jitter.full()).random(random).build()).isNotNull();
  }
}
