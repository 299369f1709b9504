package dev.bulwark.benchmarks;

import java.util.function.Supplier;

/** The trivial call every policy benchmark protects: returns a constant, allocates nothing. */
final class Work {

  static final Integer RESULT = 42;

  /** As a Bulwark call, a resilience4j supplier and a Failsafe checked supplier. */
  static final Supplier<Integer> SUPPLIER = () -> RESULT;

  static final dev.failsafe.function.CheckedSupplier<Integer> FAILSAFE_SUPPLIER = () -> RESULT;

  static final dev.bulwark.resilience.Call<Integer, RuntimeException> CALL = () -> RESULT;

  /**
   * The failure of a failing call: one instance, without a stack trace, so that a failure costs a
   * throw and a catch, not an allocation.
   */
  static final RuntimeException FAILURE = new Failure();

  /** A call that fails, in each library's form. */
  static final Supplier<Integer> FAILING_SUPPLIER =
      () -> {
        throw FAILURE;
      };

  static final dev.failsafe.function.CheckedSupplier<Integer> FAILING_FAILSAFE_SUPPLIER =
      () -> {
        throw FAILURE;
      };

  static final dev.bulwark.resilience.Call<Integer, RuntimeException> FAILING_CALL =
      () -> {
        throw FAILURE;
      };

  /** The failure thrown by the failing calls. */
  static final class Failure extends RuntimeException {
    @java.io.Serial private static final long serialVersionUID = 1L;

    Failure() {
      super("benchmark failure", null, false, false);
    }
  }

  private Work() {}
}
