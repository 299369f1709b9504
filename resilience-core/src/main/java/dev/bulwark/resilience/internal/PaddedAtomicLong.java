package dev.bulwark.resilience.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * Why padding.
 *
 * A policy's hot word (a bulkhead's permit count, a count window's totals, a rate limiter's bucket)
 * is written by every call. An AtomicLong is a 16-byte object allocated right beside the policy's
 * other objects, so the same 64-byte cache line usually also holds fields that every call only
 * reads (limits, array references, sizes). With two threads, each write then takes that line away
 * from the other core and the other thread's next read of a constant misses: false sharing, which
 * made a 2-thread count window an order of magnitude slower than a 1-thread one. Here the value
 * sits between 56 bytes of padding on each side, in a class hierarchy (superclass fields are laid
 * out first), so no other object's field can share its line.
 */
abstract class LeftPadding {
  long p01, p02, p03, p04, p05, p06, p07;
}

abstract class PaddedValue extends LeftPadding {
  volatile long value;
}

abstract class RightPadding extends PaddedValue {
  long p11, p12, p13, p14, p15, p16, p17;
}

/**
 * A {@code long} updated atomically, alone on its cache line so that writing it never slows down
 * reads of its neighbours on other cores. Internal: the hot word of a policy.
 */
public final class PaddedAtomicLong extends RightPadding {

  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(PaddedValue.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Creates the value.
   *
   * @param initial the initial value
   */
  public PaddedAtomicLong(long initial) {
    value = initial;
  }

  /**
   * Reads the value (volatile).
   *
   * @return the value
   */
  public long get() {
    return value;
  }

  /**
   * Writes the value (volatile).
   *
   * @param newValue the new value
   */
  public void set(long newValue) {
    value = newValue;
  }

  /**
   * Sets the value to {@code update} if it is {@code expected}.
   *
   * @param expected the value expected
   * @param update the new value
   * @return true if the value was set
   */
  public boolean compareAndSet(long expected, long update) {
    return VALUE.compareAndSet((PaddedValue) this, expected, update);
  }

  /**
   * Adds {@code delta} and returns the new value.
   *
   * @param delta what to add
   * @return the value after the addition
   */
  public long addAndGet(long delta) {
    return (long) VALUE.getAndAdd((PaddedValue) this, delta) + delta;
  }

  /**
   * Adds one and returns the new value.
   *
   * @return the value after the addition
   */
  public long incrementAndGet() {
    return addAndGet(1);
  }

  /**
   * Subtracts one and returns the new value.
   *
   * @return the value after the subtraction
   */
  public long decrementAndGet() {
    return addAndGet(-1);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
