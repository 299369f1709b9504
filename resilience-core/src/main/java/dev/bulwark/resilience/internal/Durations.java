package dev.bulwark.resilience.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** Formats durations for people: {@code 4.2s}, {@code 150ms}, {@code 12.5µs}. Internal. */
public final class Durations {

  private Durations() {}

  /**
   * Formats {@code duration} in the largest unit of ns, µs, ms and s that keeps it at least one,
   * with at most three decimals: {@code "4.2s"}, {@code "-100ms"}, {@code "0s"}.
   */
  public static String format(Duration duration) {
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
