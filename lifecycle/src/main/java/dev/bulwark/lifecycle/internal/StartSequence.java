package dev.bulwark.lifecycle.internal;

import dev.bulwark.resilience.internal.Durations;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/*
 * Ordered start, on its own: each component in declared order, each within its start timeout,
 * until one fails or the gate says a stop has come. The supervisor owns the states; the gate is
 * how the sequence asks it, under its lock, whether to go on and which component is starting (so
 * that a stop can cancel that one start).
 */
final class StartSequence {

  private StartSequence() {}

  /** The supervisor's side of a start. */
  interface Gate {

    /** Returns false if a stop has come; otherwise records {@code c} as the one starting. */
    boolean begin(Component c);

    /** Records that no component is starting any more. */
    void end();
  }

  /**
   * How a start ended.
   *
   * @param failed the component that failed or was not started because of a stop; null if all
   *     started
   * @param reason why, if the component's start itself failed; null otherwise
   * @param cause the failure, if the component's start itself failed; null otherwise
   * @param interrupted whether the starting thread was interrupted (to be restored)
   */
  record Result(String failed, String reason, Throwable cause, boolean interrupted) {}

  static Result run(List<Component> components, Gate gate) {
    for (Component c : components) {
      if (!gate.begin(c)) {
        return new Result(c.name, null, null, false);
      }
      try {
        c.start(Durations.saturatedNanos(c.config.startTimeout()));
      } catch (CancellationException e) {
        return new Result(c.name, null, null, false);
      } catch (TimeoutException e) {
        return new Result(c.name, e.getMessage(), e, false);
      } catch (InterruptedException e) {
        return new Result(c.name, "the starting thread was interrupted", e, true);
      } catch (Throwable e) {
        return new Result(c.name, "its start failed: " + e, e, false);
      } finally {
        gate.end();
      }
    }
    return new Result(null, null, null, false);
  }
}
