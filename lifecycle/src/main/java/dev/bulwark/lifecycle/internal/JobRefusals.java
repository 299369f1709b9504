package dev.bulwark.lifecycle.internal;

import java.time.Duration;

/**
 * Makes a job queue's refusals for {@link JobRunners}: their constructors stay package-private in
 * the API package, so the queue passes this in.
 */
public interface JobRefusals {

  /**
   * Makes the refusal of a queue that is stopping.
   *
   * @param queue the queue's name
   * @return the refusal
   */
  RuntimeException closed(String queue);

  /**
   * Makes the refusal of a full queue.
   *
   * @param queue the queue's name
   * @param capacity the queue's capacity
   * @param retryAfter when a place is expected to free up, or null while that is not estimable
   * @return the refusal
   */
  RuntimeException full(String queue, int capacity, Duration retryAfter);
}
