package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** A bulkhead permit for a stream or a batch; only the first outcome counts. */
final class GatePermit implements Permit {

  private final Admission.Completion completion;
  private final TimeSource time;
  private final long startNanos;
  private final int inFlight;
  private final AtomicBoolean done = new AtomicBoolean();

  GatePermit(Admission.Completion completion, TimeSource time, int inFlight) {
    this.completion = completion;
    this.time = time;
    this.startNanos = time.nanoTime();
    this.inFlight = inFlight;
  }

  @Override
  public void onSuccess() {
    if (done.compareAndSet(false, true)) {
      completion.complete(startNanos, inFlight, null, false);
    }
  }

  @Override
  public void onFailure(Throwable failure) {
    Checks.notNull(failure, "failure");
    if (done.compareAndSet(false, true)) {
      completion.complete(startNanos, inFlight, failure, false);
    }
  }

  @Override
  public void onSuccess(Duration elapsed) {
    long nanos = Durations.saturatedNanos(Checks.nonNegative(elapsed, "elapsed"));
    if (done.compareAndSet(false, true)) {
      completion.complete(time.nanoTime() - nanos, inFlight, null, false);
    }
  }

  @Override
  public void onFailure(Duration elapsed, Throwable failure) {
    long nanos = Durations.saturatedNanos(Checks.nonNegative(elapsed, "elapsed"));
    Checks.notNull(failure, "failure");
    if (done.compareAndSet(false, true)) {
      completion.complete(time.nanoTime() - nanos, inFlight, failure, false);
    }
  }

  @Override
  public void close() {
    if (done.compareAndSet(false, true)) {
      completion.complete(startNanos, inFlight, null, true);
    }
  }

  @Override
  public String toString() {
    return "Permit[" + (done.get() ? "returned" : "held") + "]";
  }
}
