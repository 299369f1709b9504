package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.UnfinishedJob;
import dev.bulwark.resilience.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * The components' part of a supervisor's stop: each component in reverse order through the stop
 * protocol, inside the one budget. The budget guarantees every component its grace (build()
 * checks that it covers them all): before each component, the graces of those still to stop after
 * it are owed, so no wait of this one, its interrupt timeout included, can take them.
 */
final class StopSequence {

  private StopSequence() {}

  /** Returns the sum of the components' grace periods. */
  static Duration graces(List<Component> components) {
    Duration sum = Duration.ZERO;
    for (Component c : components) {
      sum = sum.plus(c.config.grace());
    }
    return sum;
  }

  /** Stops every component, last started first, and reports each. */
  static List<ShutdownReport.ComponentReport> stopAll(List<Component> components, Budget budget) {
    Duration owed = graces(components);
    List<ShutdownReport.ComponentReport> reports = new ArrayList<>(components.size());
    for (int i = components.size() - 1; i >= 0; i--) {
      Component c = components.get(i);
      owed = owed.minus(c.config.grace());
      budget.owe(owed);
      reports.add(stopOneSafely(c, budget));
    }
    return reports;
  }

  /*
   * A stop step that throws (a thread factory that cannot make the stop's thread, a job sink
   * throwing an Error) must not end the stop half-way: the later components would never be
   * stopped, no report would be set, and every other stop() caller (the shutdown hook too) would
   * wait for it forever. The component is reported abandoned, with what was thrown.
   */
  private static ShutdownReport.ComponentReport stopOneSafely(Component c, Budget budget) {
    TimeSource time = budget.timeSource();
    long t0 = time.nanoTime();
    try {
      return stopOne(c, budget);
    } catch (Throwable e) {
      if (c.stopFailure == null) {
        c.stopFailure = e;
      }
      return new ShutdownReport.ComponentReport(
          c.name,
          ShutdownReport.Outcome.ABANDONED,
          Duration.ofNanos(Math.max(0, time.nanoTime() - t0)),
          Optional.of(c.stopFailure),
          List.of());
    }
  }

  /*
   * stop() called on a worker's own thread: the worker cannot end before stop() returns to it, so
   * waiting for it (and then interrupting the stop itself) would only cost the components after it
   * their grace. It has the stop signal; it ends when it returns, and is reported GRACEFUL.
   */
  private static ShutdownReport.ComponentReport stopOne(Component c, Budget budget) {
    TimeSource time = budget.timeSource();
    long t0 = time.nanoTime();
    ShutdownReport.Outcome outcome =
        StopProtocol.stop(c, c.config.grace(), c.config.interruptTimeout(), budget);
    if (outcome == ShutdownReport.Outcome.NOT_RUNNING) {
      c.compareAndMove(ComponentState.RESTARTING, ComponentState.STOPPED);
    }
    outcome = c.outcome(outcome);
    if (outcome == ShutdownReport.Outcome.GRACEFUL
        || outcome == ShutdownReport.Outcome.INTERRUPTED) {
      c.compareAndMove(ComponentState.STOPPING, ComponentState.STOPPED);
    }
    List<UnfinishedJob<?>> unfinished = c.afterStop(outcome);
    return new ShutdownReport.ComponentReport(
        c.name,
        outcome,
        Duration.ofNanos(Math.max(0, time.nanoTime() - t0)),
        Optional.ofNullable(c.stopFailure),
        unfinished);
  }
}
