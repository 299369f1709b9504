package dev.bulwark.resilience.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Preconditions for every Bulwark builder. Each failure message names the setting, the rule and the
 * value: {@code "failureRateThreshold must be in (0, 100], was 120.0"}.
 *
 * <p><b>Where nulls are refused.</b> The same in every builder of every module: a builder's factory
 * ({@code builder(name)}, {@code fixed(delay)}, ...) and its setters store what they are given, and
 * {@code build()} validates every setting, refusing a null with {@link #notNull} (a {@link
 * NullPointerException} whose message is the setting's name), as it refuses any other bad value. A
 * setting whose null would mean "unset" is refused too, never silently defaulted. Arguments of
 * run-time methods ({@code call(c)}) are refused the same way, with the parameter's name.
 *
 * <p><b>Names.</b> Every policy's name passes {@link #name}: not null, not blank, and a blank one
 * is shown in the message ({@code name must not be blank, was ' '}).
 *
 * <p><b>Required settings.</b> A setting with no default that was never given fails {@code build()}
 * through {@link #required}: an {@link IllegalStateException} saying what to call ({@code timeout
 * is required: set it with .timeout(Duration)}). A required setting given as null is a null like
 * any other ({@link NullPointerException}).
 *
 * <p>Internal to Bulwark's modules; not an API for applications.
 */
public final class Checks {

  private Checks() {}

  /**
   * Fails with {@code message} unless {@code condition} holds.
   *
   * @throws IllegalArgumentException if {@code condition} is false
   */
  public static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Returns {@code value}, or fails with a {@link NullPointerException} whose message is the name
   * of the setting or parameter.
   *
   * @throws NullPointerException if {@code value} is null
   */
  public static <T> T notNull(T value, String name) {
    return Objects.requireNonNull(value, name);
  }

  /**
   * Returns {@code name} if it is a policy's usable name: not null and not blank.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if it is empty or only white space; the message shows it
   */
  public static String name(String name) {
    notNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
    }
    return name;
  }

  /**
   * Fails unless a required setting was given: {@code required(set, "timeout",
   * ".timeout(Duration)")} says {@code timeout is required: set it with .timeout(Duration)}.
   *
   * @param set whether the builder's setter was called
   * @param setting the setting's name
   * @param setter how to set it, as the user would write it
   * @throws IllegalStateException if it was not given
   */
  public static void required(boolean set, String setting, String setter) {
    if (!set) {
      throw new IllegalStateException(setting + " is required: set it with " + setter);
    }
  }

  /**
   * Returns {@code value} if it is greater than zero.
   *
   * @throws IllegalArgumentException if it is zero or negative
   * @throws NullPointerException if it is null
   */
  public static Duration positive(Duration value, String name) {
    notNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          name + " must be positive, was " + Durations.format(value));
    }
    return value;
  }

  /**
   * Returns {@code value} if it is zero or more.
   *
   * @throws IllegalArgumentException if it is negative
   * @throws NullPointerException if it is null
   */
  public static Duration nonNegative(Duration value, String name) {
    notNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(
          name + " must not be negative, was " + Durations.format(value));
    }
    return value;
  }

  /**
   * Returns {@code value} if it is at least {@code min}.
   *
   * @throws IllegalArgumentException if it is less
   */
  public static int atLeast(int value, int min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if it is at least {@code min}.
   *
   * @throws IllegalArgumentException if it is less
   */
  public static long atLeast(long value, long min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if it is at least {@code min}.
   *
   * @throws IllegalArgumentException if it is less or not a number
   */
  public static double atLeast(double value, double min, String name) {
    if (!(value >= min)) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if it is greater than {@code min}.
   *
   * @throws IllegalArgumentException if it is not greater, or not a number
   */
  public static double greaterThan(double value, double min, String name) {
    if (!(value > min)) {
      throw new IllegalArgumentException(name + " must be greater than " + min + ", was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} if it lies within the interval; the message writes the interval as {@code
   * (0, 100]}, with brackets for closed ends.
   *
   * @throws IllegalArgumentException if it lies outside, or is not a number
   */
  public static double inRange(
      double value,
      double low,
      boolean lowInclusive,
      double high,
      boolean highInclusive,
      String name) {
    boolean aboveLow = lowInclusive ? value >= low : value > low;
    boolean belowHigh = highInclusive ? value <= high : value < high;
    if (!(aboveLow && belowHigh)) {
      throw new IllegalArgumentException(
          name
              + " must be in "
              + (lowInclusive ? "[" : "(")
              + plain(low)
              + ", "
              + plain(high)
              + (highInclusive ? "]" : ")")
              + ", was "
              + value);
    }
    return value;
  }

  private static String plain(double d) {
    return d == Math.rint(d) && !Double.isInfinite(d)
        ? Long.toString((long) d)
        : Double.toString(d);
  }
}
