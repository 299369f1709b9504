package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.internal.OutcomeCounter;
import java.time.Duration;

/**
 * The part both bulkheads share: taking a permit from the gate within the maximum wait, refusing
 * with a message that says what to do, and publishing events only when someone listens.
 */
final class Admission {

  private final String name;
  private final PermitGate gate;
  private final TimeSource time;
  private final Duration maxWait;
  private final long maxWaitNanos;
  private final int maxLimit; // 0 for a fixed bulkhead
  final Listeners<BulkheadEvent> listeners;
  final OutcomeCounter<BulkheadOutcome> counts = new OutcomeCounter<>(BulkheadOutcome.class);

  /**
   * The last refusal message and the limit it names. A full bulkhead refuses every call while its
   * dependency is slow, the worst moment to build the same string again and again; the message
   * changes only with the limit. Racy by design: a stale read only builds the message once more.
   */
  private FullMessage lastFullMessage;

  private record FullMessage(int limit, String text) {}

  Admission(String name, PermitGate gate, TimeSource time, Duration maxWait, int maxLimit) {
    this.name = name;
    this.gate = gate;
    this.time = time;
    this.maxWait = maxWait;
    this.maxWaitNanos = Durations.saturatedNanos(maxWait);
    this.maxLimit = maxLimit;
    this.listeners = new Listeners<>("bulkhead '" + name + "'");
  }

  TimeSource time() {
    return time;
  }

  /**
   * Takes a permit or throws: {@link BulkheadFullException} if none came free in time, {@link
   * CancellationException} (with the interrupt status set again) if the thread was interrupted
   * while it waited, as a hedge does. An interrupted wait is not a refusal: no Rejected event.
   *
   * @return the in-flight count including this permit
   */
  int acquire() {
    int inFlight;
    try {
      inFlight = gate.acquire(maxWaitNanos);
    } catch (InterruptedException e) {
      throw Exceptions.interrupted(
          "bulkhead '" + name + "' stopped waiting for a permit: the thread was interrupted", e);
    }
    if (inFlight < 0) {
      throw refuse(fullMessage());
    }
    counts.increment(BulkheadOutcome.PERMITTED);
    if (!listeners.isEmpty()) {
      listeners.publish(new BulkheadEvent.Permitted(name, inFlight));
    }
    return inFlight;
  }

  private BulkheadFullException refuse(String message) {
    int limit = gate.limit();
    counts.increment(BulkheadOutcome.REFUSED);
    if (!listeners.isEmpty()) {
      listeners.publish(new BulkheadEvent.Rejected(name, limit));
    }
    return new BulkheadFullException(name, limit, message);
  }

  private String fullMessage() {
    int limit = gate.limit();
    FullMessage last = lastFullMessage;
    if (last != null && last.limit() == limit) {
      return last.text();
    }
    String text = fullMessage(limit);
    lastFullMessage = new FullMessage(limit, text);
    return text;
  }

  private String fullMessage(int limit) {
    StringBuilder b = new StringBuilder("bulkhead '").append(name);
    if (maxLimit == 0) {
      b.append("' is full (").append(limit).append(" concurrent calls)");
    } else {
      b.append("' is at its adaptive limit (")
          .append(limit)
          .append(" concurrent calls, at most ")
          .append(maxLimit)
          .append(')');
    }
    if (maxWaitNanos > 0) {
      b.append(" and no permit came free within ").append(Durations.format(maxWait));
    }
    b.append("; retry later");
    if (maxLimit == 0) {
      b.append(", or raise maxConcurrentCalls");
    }
    if (maxWaitNanos == 0) {
      b.append(" or set a maxWait to queue for a permit");
    }
    return b.toString();
  }

  /** Publishes that a permit taken at {@code startNanos} came back (the gate is released). */
  void finished(long startNanos, boolean timed) {
    if (!listeners.isEmpty()) {
      Duration held = timed ? Duration.ofNanos(time.nanoTime() - startNanos) : Duration.ZERO;
      listeners.publish(new BulkheadEvent.Finished(name, held));
    }
  }

  /** Publishes that a permit held for {@code heldNanos} came back (the gate is released). */
  void finishedAfter(long heldNanos) {
    if (!listeners.isEmpty()) {
      listeners.publish(new BulkheadEvent.Finished(name, Duration.ofNanos(heldNanos)));
    }
  }

  /** What a {@link GatePermit} does once, on the first of success, failure or close. */
  interface Completion {
    /**
     * Returns the permit and reports the outcome.
     *
     * @param failure null on success or when abandoned
     * @param abandoned true when closed without an outcome
     */
    void complete(long startNanos, int inFlight, Throwable failure, boolean abandoned);
  }
}
