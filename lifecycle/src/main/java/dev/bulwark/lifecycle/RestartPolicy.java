package dev.bulwark.lifecycle;

import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;

/**
 * What a {@link Supervisor} does when a worker fails: {@linkplain #never() nothing} (the component
 * becomes {@link ComponentState#FAILED}), or {@linkplain #onFailure(Backoff, int, Duration) restart
 * it} after a backoff delay, at most {@code maxRestarts} times within {@code window}.
 *
 * <pre>{@code
 * RestartPolicy policy = RestartPolicy.onFailure(
 *     Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10)).build(),
 *     5, Duration.ofMinutes(1));   // a sixth failure within a minute escalates
 * }</pre>
 *
 * <p>The intensity limit is Erlang/OTP's: a worker that would need more than {@code maxRestarts}
 * restarts within any {@code window} is beyond saving; the supervisor then escalates, marks itself
 * {@link Supervisor.State#FAILED} and stops every component. The backoff sequence starts afresh
 * once the window holds no earlier restart, so a worker that fails rarely always waits the first
 * delay.
 */
public sealed interface RestartPolicy {

  /**
   * Never restart: a failed worker stays {@link ComponentState#FAILED} and the supervisor reports
   * itself not live.
   *
   * @return the policy
   */
  static RestartPolicy never() {
    return Never.INSTANCE;
  }

  /**
   * Restart a failed worker after the next delay of {@code backoff}, at most {@code maxRestarts}
   * times within {@code window}.
   *
   * @param backoff the delays between a failure and the restart
   * @param maxRestarts the intensity limit N, at least 1
   * @param window the period T in which at most N restarts are allowed, positive
   * @return the policy
   * @throws IllegalArgumentException if {@code maxRestarts} is less than 1 or {@code window} is not
   *     positive
   * @throws NullPointerException if {@code backoff} or {@code window} is null
   */
  static RestartPolicy onFailure(Backoff backoff, int maxRestarts, Duration window) {
    return new OnFailure(backoff, maxRestarts, window);
  }

  /** The policy that never restarts. */
  enum Never implements RestartPolicy {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "RestartPolicy.never()";
    }
  }

  /**
   * Restart on failure, with a backoff and an intensity limit.
   *
   * @param backoff the delays before restarts
   * @param maxRestarts at most this many restarts...
   * @param window ...within this period
   */
  record OnFailure(Backoff backoff, int maxRestarts, Duration window) implements RestartPolicy {

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException if {@code maxRestarts} is less than 1 or {@code window} is
     *     not positive
     * @throws NullPointerException if {@code backoff} or {@code window} is null
     */
    public OnFailure {
      Checks.notNull(backoff, "backoff");
      Checks.atLeast(maxRestarts, 1, "maxRestarts");
      Checks.positive(window, "window");
    }
  }
}
