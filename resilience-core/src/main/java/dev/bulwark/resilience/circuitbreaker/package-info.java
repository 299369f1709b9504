/**
 * The circuit breaker: {@link dev.bulwark.resilience.circuitbreaker.CircuitBreaker}, its {@link
 * dev.bulwark.resilience.circuitbreaker.SlidingWindow sliding windows}, its {@link
 * dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent events} and its refusal, {@link
 * dev.bulwark.resilience.circuitbreaker.CircuitOpenException}.
 *
 * <p>Semantics and defaults are resilience4j's (an oracle test runs both side by side); the
 * differences are listed on {@code CircuitBreaker}.
 *
 * <h2>How it is designed</h2>
 *
 * <p>The breaker's state is an immutable object in an {@code AtomicReference}: one object per state
 * entered (CLOSED with its window, OPEN with its deadline, HALF_OPEN with its trial window and an
 * {@code AtomicInteger} of trial permits left). A permitted call in CLOSED reads the reference once
 * and records its outcome in the window without a lock or an allocation; the window returns its
 * verdict, computed from the counts just after that record. Only a verdict that calls for a
 * transition takes the breaker's lock, which re-checks that the state is still the one the verdict
 * was about (so concurrent recorders cannot trip it twice), installs the next state, and publishes
 * events once the lock is released.
 *
 * <p>Time moves lazily: OPEN holds its deadline, {@code state()} compares it with the time source,
 * and the first request for permission after it installs HALF_OPEN. Trial permits are taken with a
 * compare-and-set loop that never goes below zero, so HALF_OPEN admits exactly the configured
 * number of calls however many threads ask; a permit is given back (ignored exception, abandoned
 * work) only to the HALF_OPEN state that issued it.
 *
 * <p>The windows are package-private: {@code CountWindow} (a ring of outcomes whose running totals
 * move with two compare-and-sets and a helping protocol, exact after every record) and {@code
 * TimeWindow} (one-second buckets, and a summary of the earlier seconds taken once per second).
 * Their class comments say how and why.
 */
package dev.bulwark.resilience.circuitbreaker;
