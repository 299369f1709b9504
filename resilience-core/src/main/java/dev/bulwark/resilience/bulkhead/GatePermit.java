package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.internal.Checks;
import java.util.concurrent.atomic.AtomicBoolean;

/** A bulkhead permit for a stream or a batch; only the first outcome counts. */
final class GatePermit implements Permit {

  private final Admission.Completion completion;
  private final long startNanos;
  private final int inFlight;
  private final AtomicBoolean done = new AtomicBoolean();

  GatePermit(Admission.Completion completion, long startNanos, int inFlight) {
    this.completion = completion;
    this.startNanos = startNanos;
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
