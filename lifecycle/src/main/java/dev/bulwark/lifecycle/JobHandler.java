package dev.bulwark.lifecycle;

/**
 * Does one job of a {@link JobQueue}: sends the email, resizes the image.
 *
 * @param <J> the job type
 */
@FunctionalInterface
public interface JobHandler<J> {

  /**
   * Does the job.
   *
   * @param job the job
   * @throws Exception if the job fails; its handle becomes {@link JobHandle.Status#FAILED}
   */
  void handle(J job) throws Exception;
}
