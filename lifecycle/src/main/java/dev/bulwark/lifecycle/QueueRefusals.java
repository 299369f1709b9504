package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.JobRefusals;
import java.time.Duration;

/**
 * A job queue's refusals, made for its runners in the internal package: the refusals' constructors
 * are package-private, so that only a queue throws them.
 */
enum QueueRefusals implements JobRefusals {
  INSTANCE;

  @Override
  public RuntimeException closed(String queue) {
    return new JobQueueClosedException(queue);
  }

  @Override
  public RuntimeException full(String queue, int capacity, Duration retryAfter) {
    return new JobQueueFullException(queue, capacity, retryAfter);
  }
}
