package dev.bulwark.resilience.circuitbreaker;

import static dev.bulwark.resilience.testing.LinearizabilityChecks.actor;
import static dev.bulwark.resilience.testing.LinearizabilityChecks.explore;

import dev.bulwark.resilience.circuitbreaker.CircuitBreakerLincheckTest.Model;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerLincheckTest.Operations;
import org.junit.jupiter.api.Test;

/**
 * The breaker's race for its HALF_OPEN trial permits, as a fixed scenario whose every interleaving
 * Lincheck's model checker explores (the same interleavings on every run), against the model of
 * {@link CircuitBreakerLincheckTest}. That check's random scenarios seldom put two acquires first
 * on both threads: with a trial permit taken by a read and a plain write instead of a
 * compare-and-set, it passed, and this test fails.
 */
class CircuitBreakerInterleavingTest {

  /**
   * The breaker is tripped and its open duration has passed; two threads acquire at once. One moves
   * it to HALF_OPEN (or both try), and exactly one of them gets its single trial permit.
   */
  @Test
  void twoCallersRacingIntoHalfOpenTakeItsOneTrialPermitOnce() {
    explore(
        Operations.class,
        Model.class,
        actor(Operations.class, "acquire", 0),
        actor(Operations.class, "acquire", 1));
  }
}
