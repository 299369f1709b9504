package dev.bulwark.resilience.retry;

import static dev.bulwark.resilience.testing.LinearizabilityChecks.actor;
import static dev.bulwark.resilience.testing.LinearizabilityChecks.explore;

import dev.bulwark.resilience.retry.RetryBudgetLincheckTest.Model;
import dev.bulwark.resilience.retry.RetryBudgetLincheckTest.Operations;
import org.junit.jupiter.api.Test;

/**
 * The retry budget's slot counts under a race, as fixed scenarios whose every interleaving
 * Lincheck's model checker explores (the same interleavings on every run), against the model of
 * {@link RetryBudgetLincheckTest}. That check's random scenarios did not catch a slot incremented
 * by a read and a plain write (lost updates); these do.
 */
class RetryBudgetInterleavingTest {

  /** Two requests recorded at once both count: the budget then allows half of two, plus one. */
  @Test
  void twoRequestsRecordedAtOnceBothCount() {
    explore(
        Operations.class,
        Model.class,
        actor(Operations.class, "recordRequest"),
        actor(Operations.class, "recordRequest"),
        actor(Operations.class, "available"));
  }

  /** Two retries taken at once both count: with one left, exactly one of them gets it. */
  @Test
  void twoRetriesRacingForTheLastOneTakeItOnce() {
    explore(
        Operations.class,
        Model.class,
        actor(Operations.class, "tryAcquireRetry"),
        actor(Operations.class, "tryAcquireRetry"),
        actor(Operations.class, "available"));
  }
}
