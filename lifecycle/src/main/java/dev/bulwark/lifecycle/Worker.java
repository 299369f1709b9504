package dev.bulwark.lifecycle;

/**
 * Long-lived work that a {@link Supervisor} runs on its own thread (virtual by default): a queue
 * consumer, a poller, a health monitor.
 *
 * <p>A worker loops until its context says to stop, and waits with {@link
 * WorkerContext#awaitStop(java.time.Duration)} instead of sleeping, so that it reacts to a stop at
 * once:
 *
 * <pre>{@code
 * Worker consumer = ctx -> {
 *   while (!ctx.isStopping()) {
 *     ctx.heartbeat();
 *     Message m = queue.poll();
 *     if (m == null) {
 *       ctx.awaitStop(Duration.ofMillis(200));   // returns true as soon as stop is requested
 *     } else {
 *       handle(m);
 *     }
 *   }
 * };
 * }</pre>
 *
 * <p>A worker that returns has finished (its component becomes {@link ComponentState#STOPPED}); one
 * that throws has failed, and its {@link RestartPolicy} decides what follows. A worker should
 * honour the stop signal within its grace period, and an interrupt after that; one that honours
 * neither is abandoned by the supervisor and reported as such.
 */
@FunctionalInterface
public interface Worker {

  /**
   * Runs the work until {@code ctx} says to stop, or until the work is done.
   *
   * @param ctx this run's context: the stop signal, heartbeats and the worker's name
   * @throws Exception if the work fails; the component's restart policy then applies
   */
  void run(WorkerContext ctx) throws Exception;
}
