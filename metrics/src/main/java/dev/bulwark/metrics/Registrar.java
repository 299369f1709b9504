package dev.bulwark.metrics;

import dev.bulwark.resilience.Subscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Registers the meters and listeners of one binding in one registry, and remembers them so that
 * {@link #close()} removes every one. Meters are created only from {@link BulwarkMeter} constants,
 * so the reference table lists every meter a binding can create.
 *
 * <p>Package-private: the implementation behind {@link BulwarkMetrics}.
 */
final class Registrar {

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final List<Subscription> subscriptions = new ArrayList<>();

  /**
   * Creates a registrar for {@code registry}.
   *
   * @param registry the registry
   */
  Registrar(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Turns an enum constant into a tag value: lower case, as Prometheus users expect.
   *
   * @param value the constant
   * @return e.g. {@code half_open}
   */
  static String tagValue(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Registers a counter that reads a monotonic total from {@code obj}.
   *
   * @param meter the meter
   * @param tags its tags
   * @param obj the object read
   * @param total reads the total
   * @param <T> the object's type
   */
  <T> void functionCounter(BulwarkMeter meter, Tags tags, T obj, ToDoubleFunction<T> total) {
    check(meter, Meter.Type.COUNTER, tags);
    meters.add(
        FunctionCounter.builder(meter.meterName(), obj, total)
            .tags(tags)
            .baseUnit(meter.baseUnit())
            .description(meter.description())
            .register(registry));
  }

  /**
   * Registers a counter that listeners increment.
   *
   * @param meter the meter
   * @param tags its tags
   * @return the counter
   */
  Counter counter(BulwarkMeter meter, Tags tags) {
    check(meter, Meter.Type.COUNTER, tags);
    Counter counter =
        Counter.builder(meter.meterName())
            .tags(tags)
            .baseUnit(meter.baseUnit())
            .description(meter.description())
            .register(registry);
    meters.add(counter);
    return counter;
  }

  /**
   * Registers a gauge that reads {@code obj}.
   *
   * @param meter the meter
   * @param tags its tags
   * @param obj the object read
   * @param value reads the value
   * @param <T> the object's type
   */
  <T> void gauge(BulwarkMeter meter, Tags tags, T obj, ToDoubleFunction<T> value) {
    check(meter, Meter.Type.GAUGE, tags);
    meters.add(
        Gauge.builder(meter.meterName(), obj, value)
            .tags(tags)
            .baseUnit(meter.baseUnit())
            .description(meter.description())
            .strongReference(true)
            .register(registry));
  }

  /**
   * Registers a timer that listeners record into.
   *
   * @param meter the meter
   * @param tags its tags
   * @return the timer
   */
  Timer timer(BulwarkMeter meter, Tags tags) {
    check(meter, Meter.Type.TIMER, tags);
    Timer timer =
        Timer.builder(meter.meterName())
            .tags(tags)
            .description(meter.description())
            .register(registry);
    meters.add(timer);
    return timer;
  }

  /**
   * Remembers a listener's subscription, to close it with the binding.
   *
   * @param subscription the subscription
   */
  void listening(Subscription subscription) {
    subscriptions.add(subscription);
  }

  private static void check(BulwarkMeter meter, Meter.Type type, Tags tags) {
    List<String> keys = tags.stream().map(t -> t.getKey()).toList();
    if (meter.type() != type || !keys.equals(meter.tagKeys().stream().sorted().toList())) {
      throw new IllegalStateException(
          "meter "
              + meter
              + " is declared as "
              + meter.type()
              + " "
              + meter.tagKeys()
              + ", registered as "
              + type
              + " "
              + keys);
    }
  }

  /** Removes every listener and meter this registrar added. */
  void close() {
    for (Subscription s : subscriptions) {
      s.close();
    }
    subscriptions.clear();
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
  }
}
