package dev.bulwark.lifecycle.internal;

import java.io.Serial;

/**
 * Thrown out of a periodic task whose error policy is {@code FAIL}: it tells the supervisor to mark
 * the worker failed without a restart. The supervisor records the cause, not this wrapper, as the
 * worker's last failure.
 */
public final class IterationFailedException extends Exception {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * Wraps the failure of an iteration.
   *
   * @param task the task's name
   * @param cause what the iteration threw
   */
  public IterationFailedException(String task, Throwable cause) {
    super("an iteration of periodic task '" + task + "' failed: " + cause, cause);
  }
}
