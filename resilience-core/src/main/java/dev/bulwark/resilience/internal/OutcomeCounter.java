package dev.bulwark.resilience.internal;

import dev.bulwark.resilience.CallCounts;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link CallCounts} a policy keeps. {@link #increment(Enum)} is on the policy's hot path:
 * before {@link #start()} it reads one field and returns; after, it bumps one {@link LongAdder} (a
 * CAS on its base while uncontended, a per-thread-ish cell under contention), which allocates
 * nothing once the adder's cells exist.
 *
 * <p>Internal to Bulwark's modules; not an API for applications.
 *
 * @param <E> the outcomes
 */
public final class OutcomeCounter<E extends Enum<E>> implements CallCounts<E> {

  private static final VarHandle ADDERS;

  static {
    try {
      ADDERS =
          MethodHandles.lookup().findVarHandle(OutcomeCounter.class, "adders", LongAdder[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final List<E> outcomes;
  private volatile LongAdder[] adders; // null until start()

  /**
   * Creates a counter that has not started.
   *
   * @param type the enum of outcomes
   */
  public OutcomeCounter(Class<E> type) {
    this.outcomes = List.of(type.getEnumConstants());
  }

  /**
   * Counts one call that ended with {@code outcome}, if counting has started.
   *
   * @param outcome the outcome
   */
  public void increment(E outcome) {
    LongAdder[] a = adders;
    if (a != null) {
      a[outcome.ordinal()].increment();
    }
  }

  @Override
  public void start() {
    if (adders == null) {
      LongAdder[] fresh = new LongAdder[outcomes.size()];
      for (int i = 0; i < fresh.length; i++) {
        fresh[i] = new LongAdder();
      }
      ADDERS.compareAndSet(this, (LongAdder[]) null, fresh);
    }
  }

  @Override
  public boolean started() {
    return adders != null;
  }

  @Override
  public long count(E outcome) {
    Objects.requireNonNull(outcome, "outcome");
    LongAdder[] a = adders;
    return a == null ? 0L : a[outcome.ordinal()].sum();
  }

  @Override
  public List<E> outcomes() {
    return outcomes;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("CallCounts[");
    for (E outcome : outcomes) {
      b.append(outcome)
          .append('=')
          .append(count(outcome))
          .append(outcomes.getLast() == outcome ? "" : ", ");
    }
    return b.append(']').toString();
  }
}
