package dev.bulwark.resilience.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Durations for Bulwark's modules: formatted for people ({@code 4.2s}, {@code 150ms}, {@code
 * 12.5µs}), and converted to nanoseconds with one overflow rule ({@link #saturatedNanos}).
 * Internal.
 */
public final class Durations {

  /**
   * The longest wait in nanoseconds: {@code Long.MAX_VALUE / 2}, about 146 years, and "forever" to
   * anything that waits.
   */
  public static final long MAX_NANOS = Long.MAX_VALUE / 2;

  private Durations() {}

  /**
   * Returns {@code duration} in nanoseconds, clamped to [{@code -MAX_NANOS}, {@link #MAX_NANOS}].
   *
   * <p>The one overflow rule of every module. Half the range, not all of it, because the result is
   * added to and compared with readings of {@code TimeSource.nanoTime()}, which may be any long,
   * negative included: {@code deadline = now + nanos} may wrap, and {@code deadline - now > 0} is
   * still right as long as the two are less than {@code 2^63} apart, which {@code MAX_NANOS}
   * guarantees with room for the elapsed time. No wait of Bulwark's lasts anywhere near 146 years,
   * so the clamp changes no behaviour.
   *
   * @param duration the duration, of any length
   * @return its nanoseconds, clamped
   * @throws NullPointerException if {@code duration} is null
   */
  public static long saturatedNanos(Duration duration) {
    long seconds = duration.getSeconds();
    if (seconds > MAX_WHOLE_SECONDS) {
      return MAX_NANOS;
    }
    if (seconds < -MAX_WHOLE_SECONDS) {
      return -MAX_NANOS;
    }
    // |seconds| <= 4611686018: seconds * 10^9 + nano fits a long exactly; clamp the last second.
    return Math.clamp(seconds * 1_000_000_000L + duration.getNano(), -MAX_NANOS, MAX_NANOS);
  }

  private static final long MAX_WHOLE_SECONDS = MAX_NANOS / 1_000_000_000L;

  /**
   * Formats {@code duration} in the largest unit of ns, µs, ms and s that keeps it at least one,
   * with at most three decimals: {@code "4.2s"}, {@code "-100ms"}, {@code "0s"}.
   */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    long seconds = duration.getSeconds();
    if (seconds > -FAST_SECONDS && seconds < FAST_SECONDS) {
      return formatNanosFast(seconds * 1_000_000_000L + duration.getNano());
    }
    return formatExact(duration);
  }

  /*
   * The fast path, for refusal messages built on every refused call: the same rounding as
   * formatExact (half up, away from zero, to three decimals of the chosen unit), in long
   * arithmetic on the magnitude, for durations whose nanoseconds fit a long with room to spare.
   */
  private static final long FAST_SECONDS = 9_000_000_000L;

  private static String formatNanosFast(long nanos) {
    long abs = Math.abs(nanos);
    int shift = abs < 1_000 ? 0 : abs < 1_000_000 ? 3 : abs < 1_000_000_000 ? 6 : 9;
    long thousandths = thousandths(abs, shift);
    if (shift < 9 && thousandths >= 1_000_000) {
      shift += 3; // rounding carried into the next unit (999.9996ms): say 1s, not 1000ms
      thousandths = thousandths(abs, shift);
    }
    StringBuilder b = new StringBuilder(24);
    if (nanos < 0) {
      b.append('-');
    }
    b.append(thousandths / 1_000);
    int fraction = (int) (thousandths % 1_000);
    if (fraction != 0) {
      b.append('.');
      int digits = fraction % 100 == 0 ? 1 : fraction % 10 == 0 ? 2 : 3;
      int divisor = 100;
      for (int i = 0; i < digits; i++) {
        b.append((char) ('0' + fraction / divisor % 10));
        divisor /= 10;
      }
    }
    return b.append(shift == 0 ? "ns" : shift == 3 ? "µs" : shift == 6 ? "ms" : "s").toString();
  }

  /** The magnitude in thousandths of the unit 10^shift ns, rounded half up. */
  private static long thousandths(long abs, int shift) {
    if (shift == 0) {
      return abs * 1_000;
    }
    long unit = shift == 3 ? 1L : shift == 6 ? 1_000L : 1_000_000L; // ns per thousandth
    return (abs + unit / 2) / unit;
  }

  /** Formats any duration exactly, in BigDecimal arithmetic; the reference for the fast path. */
  static String formatExact(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    BigDecimal nanos =
        new BigDecimal(duration.getSeconds())
            .movePointRight(9)
            .add(BigDecimal.valueOf(duration.getNano()));
    BigDecimal abs = nanos.abs();
    String unit;
    int shift;
    if (abs.compareTo(BigDecimal.valueOf(1_000)) < 0) {
      unit = "ns";
      shift = 0;
    } else if (abs.compareTo(BigDecimal.valueOf(1_000_000)) < 0) {
      unit = "µs";
      shift = 3;
    } else if (abs.compareTo(BigDecimal.valueOf(1_000_000_000)) < 0) {
      unit = "ms";
      shift = 6;
    } else {
      unit = "s";
      shift = 9;
    }
    BigDecimal scaled = nanos.movePointLeft(shift).setScale(3, RoundingMode.HALF_UP);
    if (shift < 9 && scaled.abs().compareTo(BigDecimal.valueOf(1_000)) >= 0) {
      // rounding carried into the next unit (999.9996ms): say 1s, not 1000ms
      shift += 3;
      unit = shift == 3 ? "µs" : shift == 6 ? "ms" : "s";
      scaled = nanos.movePointLeft(shift).setScale(3, RoundingMode.HALF_UP);
    }
    return scaled.stripTrailingZeros().toPlainString() + unit;
  }

  /** Formats a number of nanoseconds as {@link #format(Duration)} does. */
  public static String formatNanos(long nanos) {
    return format(Duration.ofNanos(nanos));
  }
}
