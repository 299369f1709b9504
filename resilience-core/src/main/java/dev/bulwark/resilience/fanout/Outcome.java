package dev.bulwark.resilience.fanout;

import dev.bulwark.resilience.internal.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How one call of a {@link FanOut} ended: with a value, with a failure, or not by the deadline.
 *
 * <pre>{@code
 * List<Outcome<Quote>> outcomes = fanOut.map(symbols, upstream::fetchQuote);
 * List<Quote> quotes = Outcome.successes(outcomes);
 * for (Outcome<Quote> outcome : outcomes) {
 *   switch (outcome) {
 *     case Outcome.Success<Quote>(Quote quote) -> show(quote);
 *     case Outcome.Failure<Quote>(Throwable failure) -> log(failure);
 *     case Outcome.NotFinished<Quote>(boolean started) -> showPending();
 *   }
 * }
 * }</pre>
 *
 * @param <T> the type of the call's result
 */
public sealed interface Outcome<T> {

  /**
   * The call returned a value before the deadline.
   *
   * @param value the value; may be null
   * @param <T> the type of the call's result
   */
  record Success<T>(T value) implements Outcome<T> {}

  /**
   * The call threw before the deadline.
   *
   * @param failure what it threw
   * @param <T> the type of the call's result
   */
  record Failure<T>(Throwable failure) implements Outcome<T> {
    /** Checks that the failure is there. */
    public Failure {
      Checks.notNull(failure, "failure");
    }
  }

  /**
   * The call had not finished when the deadline passed (or the caller was interrupted); whatever it
   * did later was dropped.
   *
   * @param started whether it had started (and was interrupted) or was still waiting for a turn
   * @param <T> the type of the call's result
   */
  record NotFinished<T>(boolean started) implements Outcome<T> {}

  /**
   * Returns true if this is a {@link Success}.
   *
   * @return whether the call returned a value in time
   */
  default boolean isSuccess() {
    return this instanceof Success<T>;
  }

  /**
   * Returns the values of the successful outcomes, in order.
   *
   * @param outcomes the outcomes of a fan-out
   * @param <T> the type of the calls' results
   * @return an unmodifiable list of the values; it may contain nulls
   */
  static <T> List<T> successes(List<? extends Outcome<? extends T>> outcomes) {
    List<T> values = new ArrayList<>();
    for (Outcome<? extends T> outcome : outcomes) {
      if (outcome instanceof Success<? extends T> success) {
        values.add(success.value());
      }
    }
    return Collections.unmodifiableList(values);
  }

  /**
   * Returns the failures of the failed outcomes, in order.
   *
   * @param outcomes the outcomes of a fan-out
   * @return an unmodifiable list of the failures
   */
  static List<Throwable> failures(List<? extends Outcome<?>> outcomes) {
    List<Throwable> failures = new ArrayList<>();
    for (Outcome<?> outcome : outcomes) {
      if (outcome instanceof Failure<?> failure) {
        failures.add(failure.failure());
      }
    }
    return List.copyOf(failures);
  }

  /**
   * Returns true if every outcome is a success.
   *
   * @param outcomes the outcomes of a fan-out
   * @return whether all calls returned a value in time
   */
  static boolean allSucceeded(List<? extends Outcome<?>> outcomes) {
    for (Outcome<?> outcome : outcomes) {
      if (!outcome.isSuccess()) {
        return false;
      }
    }
    return true;
  }
}
