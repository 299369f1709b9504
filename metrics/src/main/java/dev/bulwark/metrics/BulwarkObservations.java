package dev.bulwark.metrics;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.RejectedException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;

/**
 * Micrometer observations (traces, and timers through the registry's handlers) of protected calls,
 * for those who ask for them: off unless a policy is wrapped here.
 *
 * <pre>{@code
 * Policy observed = BulwarkObservations.observe(observations, "quotes",
 *     Pipeline.of(retry, BulwarkObservations.attempts(observations, "quotes"), breaker, bulkhead));
 * Quote q = observed.call(() -> upstream.fetchQuote(symbol));
 * }</pre>
 *
 * <p>{@link #observe} makes one observation {@value #CALL} per call, with the low-cardinality key
 * values {@code bulwark.name}, {@code outcome} ({@code success}, {@code failure}, {@code refused})
 * and {@code refused.by} (the name of the policy that refused, or {@code none}). {@link #attempts},
 * placed inside a retry, makes one child observation {@value #ATTEMPT} per attempt, with {@code
 * attempt} (1, 2, ...: bounded by the retry's maximum attempts) and the same {@code outcome}, so a
 * trace shows each retry. Observations run on the calling thread; a hedge's extra attempts run on
 * threads of their own and are not observed one by one.
 *
 * <p>Cost when on: one {@link Observation} (a context object, key values and whatever the
 * registry's handlers do, typically a span and a timer sample) per call and per attempt. With
 * {@link ObservationRegistry#NOOP} it is a few field reads. Off (not wrapped), nothing.
 */
public final class BulwarkObservations {

  /** The name of the observation of a whole call. */
  public static final String CALL = "bulwark.call";

  /** The name of the observation of one attempt of a call. */
  public static final String ATTEMPT = "bulwark.attempt";

  private static final ThreadLocal<int[]> ATTEMPTS = new ThreadLocal<>();

  private BulwarkObservations() {}

  /**
   * Wraps {@code policy} so that each call through it is one observation {@value #CALL}.
   *
   * @param registry the observation registry
   * @param name the value of {@code bulwark.name}, usually the pipeline's purpose
   * @param policy the policy or pipeline to observe
   * @return the observed policy, named {@code name}
   * @throws NullPointerException if an argument is null
   */
  public static Policy observe(ObservationRegistry registry, String name, Policy policy) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(policy, "policy");
    return new Observed(registry, name, policy);
  }

  /**
   * Returns a policy that does nothing but observe each attempt as a child {@value #ATTEMPT}; put
   * it inside a retry in a pipeline.
   *
   * @param registry the observation registry
   * @param name the value of {@code bulwark.name}
   * @return the policy
   * @throws NullPointerException if an argument is null
   */
  public static Policy attempts(ObservationRegistry registry, String name) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(name, "name");
    return new Attempts(registry, name);
  }

  private static <T, X extends Exception> T observed(Observation observation, Call<T, X> call)
      throws X {
    observation.start();
    Observation.Scope scope = observation.openScope();
    try {
      T result = call.call();
      observation.lowCardinalityKeyValue("outcome", "success");
      observation.lowCardinalityKeyValue("refused.by", "none");
      return result;
    } catch (RejectedException refused) {
      observation.lowCardinalityKeyValue("outcome", "refused");
      observation.lowCardinalityKeyValue("refused.by", refused.policyName());
      observation.error(refused);
      throw refused;
    } catch (Throwable failure) {
      observation.lowCardinalityKeyValue("outcome", "failure");
      observation.lowCardinalityKeyValue("refused.by", "none");
      observation.error(failure);
      throw failure;
    } finally {
      scope.close();
      observation.stop();
    }
  }

  private record Observed(ObservationRegistry registry, String name, Policy policy)
      implements Policy {
    @Override
    public <T, X extends Exception> T call(Call<T, X> call) throws X {
      Observation observation =
          Observation.createNotStarted(CALL, registry)
              .contextualName(name)
              .lowCardinalityKeyValue("bulwark.name", name);
      int[] outer = ATTEMPTS.get();
      ATTEMPTS.set(new int[1]);
      try {
        return observed(observation, () -> policy.call(call));
      } finally {
        ATTEMPTS.set(outer);
      }
    }
  }

  private record Attempts(ObservationRegistry registry, String name) implements Policy {
    @Override
    public <T, X extends Exception> T call(Call<T, X> call) throws X {
      int[] count = ATTEMPTS.get();
      int attempt = count == null ? 1 : ++count[0];
      Observation observation =
          Observation.createNotStarted(ATTEMPT, registry)
              .contextualName(name + " attempt " + attempt)
              .lowCardinalityKeyValue("bulwark.name", name)
              .lowCardinalityKeyValue("attempt", Integer.toString(attempt));
      return observed(observation, call);
    }
  }
}
