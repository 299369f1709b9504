package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.Supervisor.State;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/*
 * A supervisor's state and the facts its start, stop and escalation decide on, under one lock:
 * whether a start loop runs and which component it is starting, whether a stop was asked for and
 * which thread performs it, the report once it is done, and what escalated. SupervisorRuntime
 * drives the sequences and publishes the events; every decision that must see these facts together
 * is made here, in one step under the lock, and every wait on them waits on its one condition.
 *
 * The rules: exactly one thread performs a stop (the first to ask; later callers wait for its
 * report); a stop or an escalation tells a start in progress to give up, cancelling the component
 * being started; an escalation counts only if no stop came first, and makes the stop end in
 * FAILED, as does a start that failed on its own.
 */
final class SupervisorState {

  /**
   * What asking for a stop found.
   *
   * @param report the report of a stop that has finished (this caller has nothing to do), or null
   *     if this caller performs the stop
   * @param from the state the stop starts from (when this caller performs it)
   * @param wasReady whether the supervisor was ready (when this caller performs it)
   */
  record StopTurn(ShutdownReport report, State from, boolean wasReady) {}

  /** The state and readiness, read together. */
  record View(State state, boolean ready) {}

  private final String name;
  private final TimeSource time;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // guarded by lock
  private State state = State.NEW;
  private boolean ready;
  private boolean stopRequested;
  private boolean startLoopActive;
  private Component starting;
  private boolean stopInProgress;
  private ShutdownReport report;
  private Throwable escalationCause;
  private String escalatedComponent;

  SupervisorState(String name, TimeSource time) {
    this.name = name;
    this.time = time;
  }

  State state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  View view() {
    lock.lock();
    try {
      return new View(state, ready);
    } finally {
      lock.unlock();
    }
  }

  /** Moves NEW to STARTING and marks the start loop active; throws if not NEW. */
  void beginStart() {
    lock.lock();
    try {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "Expected supervisor '" + name + "' to be NEW, but was " + state);
      }
      state = State.STARTING;
      startLoopActive = true;
    } finally {
      lock.unlock();
    }
  }

  /** The supervisor's side of the start sequence: a stop ends it, and can cancel one start. */
  StartSequence.Gate startGate() {
    return new StartSequence.Gate() {
      @Override
      public boolean begin(Component c) {
        lock.lock();
        try {
          if (stopRequested) {
            return false;
          }
          starting = c;
          return true;
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void end() {
        lock.lock();
        try {
          starting = null;
        } finally {
          lock.unlock();
        }
      }
    };
  }

  /**
   * Ends the start loop: RUNNING and ready if every component started and no stop came (returns
   * null); otherwise says which component the start failed at and why. A stop that came after the
   * last start still fails the start, at the last component (or "(none)"), and an escalation during
   * the start is reported as the failure.
   */
  SupervisorRuntime.StartFailure endStart(StartSequence.Result result, String lastComponent) {
    String failed = result.failed();
    String reason = result.reason();
    Throwable cause = result.cause();
    lock.lock();
    try {
      startLoopActive = false;
      changed.signalAll();
      if (failed == null && stopRequested) {
        failed = lastComponent;
      }
      if (failed != null && cause == null) {
        if (escalationCause != null) {
          failed = escalatedComponent;
          reason = "it failed beyond its restart intensity while the supervisor started";
          cause = escalationCause;
        } else {
          reason = "the supervisor was stopped while it started";
        }
      }
      if (failed == null) {
        state = State.RUNNING;
        ready = true;
        return null;
      }
      return new SupervisorRuntime.StartFailure(failed, reason, cause);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A start failed on its own: the stop that follows ends in FAILED, unless a stop came first or a
   * worker escalated (its cause is kept).
   */
  void startFailed(Throwable cause) {
    lock.lock();
    try {
      if (escalationCause == null && !stopInProgress && report == null) {
        escalationCause = cause;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Asks for a stop: tells a start in progress to give up, and decides who performs the stop. The
   * caller performs it if no other stop is in progress or done (then the supervisor is STOPPING and
   * no longer ready); otherwise it gets the other stop's report, waiting for it if needed.
   */
  StopTurn requestStop() {
    lock.lock();
    try {
      stopRequested = true;
      if (starting != null) {
        starting.cancelStart();
      }
      changed.signalAll();
      if (report != null) {
        return new StopTurn(report, null, false);
      }
      if (stopInProgress) {
        return new StopTurn(awaitReportLocked(), null, false);
      }
      stopInProgress = true;
      StopTurn turn = new StopTurn(null, state, ready);
      ready = false;
      state = State.STOPPING;
      return turn;
    } finally {
      lock.unlock();
    }
  }

  /** Records the report of the stop; returns the state it ends in, FAILED after an escalation. */
  State endStop(ShutdownReport r) {
    lock.lock();
    try {
      State to = escalationCause != null ? State.FAILED : State.STOPPED;
      state = to;
      report = r;
      changed.signalAll();
      return to;
    } finally {
      lock.unlock();
    }
  }

  /**
   * A worker went beyond its restart intensity: the supervisor fails. Returns false if a stop had
   * come first; otherwise a start in progress is told to give up, and the caller stops everything.
   */
  boolean beginEscalation(String component, Throwable cause) {
    lock.lock();
    try {
      if (stopRequested) {
        return false;
      }
      stopRequested = true;
      escalationCause = cause;
      escalatedComponent = component;
      if (starting != null) {
        starting.cancelStart();
      }
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Waits, holding the lock, for another thread's stop to finish; keeps an interrupt for later. */
  private ShutdownReport awaitReportLocked() {
    boolean interrupted = false;
    while (report == null) {
      try {
        changed.await();
      } catch (InterruptedException e) {
        interrupted = true; // the performer is bounded by the budget: finish waiting, then restore
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return report;
  }

  /** Waits at most {@code timeout} for the report of the stop. */
  Optional<ShutdownReport> awaitReport(Duration timeout) throws InterruptedException {
    long n = Durations.saturatedNanos(timeout);
    lock.lock();
    try {
      while (report == null && n > 0) {
        n = time.awaitNanos(lock, changed, n);
      }
      return Optional.ofNullable(report);
    } finally {
      lock.unlock();
    }
  }

  /** Returns the report of a stop that has finished, or empty. */
  Optional<ShutdownReport> report() {
    lock.lock();
    try {
      return Optional.ofNullable(report);
    } finally {
      lock.unlock();
    }
  }

  /** Waits out the drain delay (as far as the budget allows); an interrupt ends it. */
  void waitDrain(Budget budget, long drain) {
    long end = time.nanoTime() + budget.left(drain);
    lock.lock();
    try {
      long n;
      while (!budget.wasInterrupted() && (n = end - time.nanoTime()) > 0) {
        time.awaitNanos(lock, changed, n);
      }
    } catch (InterruptedException e) {
      budget.markInterrupted();
    } finally {
      lock.unlock();
    }
  }

  /** Waits (as far as the budget allows) for a start loop to leave, so it is known what started. */
  void awaitStartLoop(Budget budget) {
    lock.lock();
    try {
      while (startLoopActive) {
        long n = budget.left(Long.MAX_VALUE);
        if (n <= 0) {
          break;
        }
        time.awaitNanos(lock, changed, n);
      }
    } catch (InterruptedException e) {
      budget.markInterrupted();
    } finally {
      lock.unlock();
    }
  }
}
