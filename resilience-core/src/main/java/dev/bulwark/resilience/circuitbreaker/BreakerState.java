package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker.State;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One state of a breaker, immutable apart from its window and half-open permits. A breaker holds
 * its current state in an {@code AtomicReference}; every transition installs a new object, so a
 * permit or a recording can tell whether the state it started in is still the current one by
 * identity.
 */
abstract sealed class BreakerState {

  /** The public name of this state. */
  final State state;

  /** Consecutive trips since the breaker last closed; the open duration grows with it. */
  final int trips;

  private BreakerState(State state, int trips) {
    this.state = state;
    this.trips = trips;
  }

  /** The window whose counts {@code metrics()} reports, or null for none. */
  Window window() {
    return null;
  }

  /** CLOSED: every call is permitted and its outcome recorded in the window. */
  static final class Closed extends BreakerState {
    final Window window;

    Closed(Window window) {
      super(State.CLOSED, 0);
      this.window = window;
    }

    @Override
    Window window() {
      return window;
    }
  }

  /**
   * OPEN: calls are refused until {@code until} has passed (strictly). Outcomes of calls that
   * started before the trip still go into the window of the CLOSED state, as in resilience4j.
   */
  static final class Open extends BreakerState {
    final Window window;
    final long openedAt;
    final long waitNanos;
    final Backoff.Sequence waits; // null when the open duration is fixed

    Open(Window window, int trips, long openedAt, long waitNanos, Backoff.Sequence waits) {
      super(State.OPEN, trips);
      this.window = window;
      this.openedAt = openedAt;
      this.waitNanos = waitNanos;
      this.waits = waits;
    }

    /** Nanoseconds from {@code now} until a call is permitted; zero or less once it is. */
    long remaining(long now) {
      return waitNanos - (now - openedAt) + 1;
    }

    @Override
    Window window() {
      return window;
    }
  }

  /** HALF_OPEN: a fixed number of trial calls, judged in a count window of their own. */
  static final class HalfOpen extends BreakerState {
    final Window window;
    final AtomicInteger permits;
    final Backoff.Sequence waits;

    HalfOpen(Window window, int permits, int trips, Backoff.Sequence waits) {
      super(State.HALF_OPEN, trips);
      this.window = window;
      this.permits = new AtomicInteger(permits);
      this.waits = waits;
    }

    /** Takes a trial permit if one is left; exact under contention. */
    boolean tryTakePermit() {
      while (true) {
        int left = permits.get();
        if (left == 0) {
          return false;
        }
        if (permits.compareAndSet(left, left - 1)) {
          return true;
        }
      }
    }

    @Override
    Window window() {
      return window;
    }
  }

  /** FORCED_OPEN: every call is refused until the breaker is closed, reset or disabled. */
  static final class ForcedOpen extends BreakerState {
    ForcedOpen(int trips) {
      super(State.FORCED_OPEN, trips);
    }
  }

  /** DISABLED: every call is permitted and nothing is recorded. */
  static final class Disabled extends BreakerState {
    Disabled() {
      super(State.DISABLED, 0);
    }
  }
}
