package dev.bulwark.lifecycle;

import java.io.Serial;

/**
 * Thrown out of a {@link PeriodicTask} whose error policy is {@link PeriodicTask.OnError#FAIL}: it
 * tells the supervisor to mark the worker failed without a restart. The supervisor records the
 * cause, not this wrapper, as the worker's last failure.
 */
final class IterationFailedException extends Exception {

  @Serial private static final long serialVersionUID = 1L;

  IterationFailedException(String task, Throwable cause) {
    super("an iteration of periodic task '" + task + "' failed: " + cause, cause);
  }
}
