package dev.bulwark.resilience;

import dev.bulwark.resilience.internal.Chain;
import dev.bulwark.resilience.internal.Checks;
import java.util.List;
import java.util.StringJoiner;

/**
 * Policies composed into one, the first listed outermost.
 *
 * <pre>{@code
 * Pipeline pipeline = Pipeline.of(retry, breaker, timeout, bulkhead);
 * Quote quote = pipeline.call(() -> upstream.fetchQuote(symbol));
 * }</pre>
 *
 * <p>Here the retry wraps the breaker, which wraps the timeout, which wraps the bulkhead: each
 * attempt of the retry asks the breaker for permission, is bounded by the timeout and takes a
 * bulkhead permit. Order matters, and this is the order in which it reads: outermost first, as in
 * Failsafe's {@code with(a, b, c)}.
 *
 * <p>A pipeline of Bulwark's own policies allocates nothing per call: each level runs the next
 * without wrapping it in a new lambda. A policy of another kind still works, at the cost of one
 * small allocation per call at its level.
 */
public final class Pipeline implements Policy {

  // The levels live in internal.Chain: outermost.proceed(call) runs the first policy's
  // PipelineStep.callAround with the chain of the levels inside it (Chain explains their shape).
  private final Policy[] policies;
  private final Chain outermost;
  private final String name;

  private Pipeline(Policy[] policies) {
    this.policies = policies;
    this.outermost = Chain.of(policies);
    StringJoiner joiner = new StringJoiner(", ", "pipeline(", ")");
    for (Policy p : policies) {
      joiner.add(p.name());
    }
    this.name = joiner.toString();
  }

  /**
   * Composes policies, the first listed outermost.
   *
   * @param outermostFirst the policies, outermost first; one or more
   * @return the pipeline
   * @throws IllegalArgumentException if no policy is given
   * @throws NullPointerException if the array or any policy is null
   */
  public static Pipeline of(Policy... outermostFirst) {
    Checks.notNull(outermostFirst, "policies");
    Checks.require(outermostFirst.length > 0, "policies must name at least one policy, was none");
    Policy[] copy = outermostFirst.clone();
    for (int i = 0; i < copy.length; i++) {
      Checks.notNull(copy[i], "policies[" + i + "]");
    }
    return new Pipeline(copy);
  }

  /**
   * Returns the policies of this pipeline, outermost first.
   *
   * @return an immutable list of the policies
   */
  public List<Policy> policies() {
    return List.of(policies);
  }

  /**
   * Returns {@code pipeline(a, b, c)} with the names of the policies, outermost first.
   *
   * @return the pipeline's name
   */
  @Override
  public String name() {
    return name;
  }

  @Override
  public <T, X extends Exception> T call(Call<T, X> call) throws X {
    Checks.notNull(call, "call");
    return outermost.proceed(call);
  }

  @Override
  public String toString() {
    return name;
  }
}
