package dev.bulwark.resilience.internal;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.Policy;

/**
 * A Bulwark policy that runs on the caller's thread and can therefore run the rest of a {@link
 * dev.bulwark.resilience.Pipeline} in place of a call, with no lambda per level per call. Internal:
 * users compose policies with {@code Pipeline.of}.
 *
 * <p>Why it exists. To put policy A around policy B around the user's call, the obvious composition
 * is {@code a.call(() -> b.call(call))}: a new capturing lambda per level per call, since it
 * captures the user's call. Instead, each policy writes its logic once, in {@link #callAround},
 * with "run the call" replaced by {@code rest.proceed(call)}; its public {@code call(c)} is {@code
 * callAround(Chain.DIRECT, c)}, and a pipeline hands it the {@link Chain} of the levels inside it.
 * Only the user's call travels down, so a pipeline of such policies allocates nothing per call.
 *
 * <p>{@code callAround} is protected, so only this package (the pipeline's levels in {@link Chain})
 * and the policy itself call it. A policy that runs the call on other threads (hedge, fan-out) or a
 * user's own {@link Policy} is not a step; a pipeline wraps it in a lambda.
 */
public abstract class PipelineStep implements Policy {

  /** Creates a step; for Bulwark's policies. */
  protected PipelineStep() {}

  /**
   * Runs this policy's logic around {@code rest.proceed(call)}, exactly as {@code call(call)} runs
   * it around the call itself.
   *
   * @param rest the levels inside this one; {@link Chain#DIRECT} for a lone policy
   * @param call the user's call
   * @param <T> the call's result type
   * @param <X> the call's checked exception type
   * @return the result
   * @throws X the call's own failure, unwrapped
   */
  protected abstract <T, X extends Exception> T callAround(Chain rest, Call<T, X> call) throws X;
}
