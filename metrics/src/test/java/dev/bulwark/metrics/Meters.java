package dev.bulwark.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/** Reads one meter's value in tests. */
final class Meters {

  private Meters() {}

  /**
   * Returns the first measurement (count, value, or a timer's count) of the meter with this name
   * and these tags.
   */
  static double value(MeterRegistry registry, BulwarkMeter meter, String... tags) {
    Meter m = registry.get(meter.meterName()).tags(tags).meter();
    return m.measure().iterator().next().getValue();
  }
}
