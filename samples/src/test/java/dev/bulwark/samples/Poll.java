package dev.bulwark.samples;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling: checks a condition every 20 ms until it holds, failing at the deadline. */
final class Poll {

  private Poll() {}

  static void until(Duration deadline, String what, BooleanSupplier condition) {
    assertTimeoutPreemptively(
        deadline,
        () -> {
          while (!condition.getAsBoolean()) {
            LockSupport.parkNanos(20_000_000L);
          }
        },
        () -> "timed out after " + deadline + " waiting until " + what);
  }

  static <T> T until(
      Duration deadline, String what, Supplier<T> value, java.util.function.Predicate<T> ok) {
    Object[] last = new Object[1];
    until(
        deadline,
        what,
        () -> {
          T v = value.get();
          last[0] = v;
          return ok.test(v);
        });
    @SuppressWarnings("unchecked")
    T result = (T) last[0];
    return result;
  }
}
