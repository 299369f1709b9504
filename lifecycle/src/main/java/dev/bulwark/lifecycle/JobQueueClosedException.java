package dev.bulwark.lifecycle;

import dev.bulwark.resilience.RejectedException;
import java.io.Serial;

/**
 * A {@link JobQueue} refused a job because it is stopping (or stopped) and takes no more jobs. The
 * service is shutting down; the caller should send the job to another instance or keep it.
 */
public final class JobQueueClosedException extends RejectedException {

  @Serial private static final long serialVersionUID = 1L;

  JobQueueClosedException(String queue) {
    super(
        queue,
        null,
        "job queue '"
            + queue
            + "' is stopping and takes no more jobs; submit the job to another instance");
  }
}
