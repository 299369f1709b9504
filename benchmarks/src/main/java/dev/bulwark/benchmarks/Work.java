package dev.bulwark.benchmarks;

import java.util.function.Supplier;

/** The trivial call every policy benchmark protects: returns a constant, allocates nothing. */
final class Work {

  static final Integer RESULT = 42;

  /** As a Bulwark call, a resilience4j supplier and a Failsafe checked supplier. */
  static final Supplier<Integer> SUPPLIER = () -> RESULT;

  static final dev.failsafe.function.CheckedSupplier<Integer> FAILSAFE_SUPPLIER = () -> RESULT;

  static final dev.bulwark.resilience.Call<Integer, RuntimeException> CALL = () -> RESULT;

  private Work() {}
}
