package dev.bulwark.resilience.internal;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.Policy;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/*
 * Why pipelines need this, and how it works.
 *
 * A policy runs a Call. To put policy A around policy B around the user's call, the obvious
 * composition is a.call(() -> b.call(call)): a new capturing lambda per level per call, because
 * the lambda captures the user's call, which differs every time. The JIT cannot remove it: the
 * pipeline calls its levels through one call site that sees every policy type, so nothing inlines
 * and every lambda escapes.
 *
 * Instead, each Bulwark policy that runs the call on the caller's thread registers a Link for its
 * class: the policy's own call logic with "run the call" replaced by "run the rest of the chain
 * from level i", i.e. rest.proceed(i, call). The pipeline builds one Chain object per level,
 * once: level i's proceed hands its policy's link the policy and the level inside it; the
 * innermost level's inside is DIRECT, which runs the user's call. Only the user's call (and an
 * index, which the pipeline's levels do not need) travel down, so a pipeline of such policies
 * allocates nothing per call. A policy without a registered link (a user's own Policy) still
 * works through the lambda. (Pipeline explains why its levels are of distinct classes.)
 *
 * A policy's plain call(c) is the same logic run with DIRECT, the chain that just runs c, so each
 * policy's logic is written once. Chain and Link are abstract classes, not interfaces, so that the
 * pipeline's dispatch to a level is a virtual call rather than an interface one.
 */
/**
 * Lets a {@link dev.bulwark.resilience.Pipeline} run Bulwark's policies without allocating a lambda
 * per level per call. Internal: users compose policies with {@code Pipeline.of}.
 */
public final class Chains {

  /** The rest of a pipeline, from a given level inward to the user's call. */
  public abstract static class Chain {

    /** Creates a chain. */
    protected Chain() {}

    /**
     * Runs the levels from {@code index} inward, then {@code call}.
     *
     * @param index the level to run next, for a chain that needs it (a pipeline's levels each know
     *     their place and ignore it); a chain runs {@code call} itself past its last level
     * @param call the user's call
     * @param <T> the call's result type
     * @param <X> the call's checked exception type
     * @return the call's result
     * @throws X the call's own failure, unwrapped
     */
    public abstract <T, X extends Exception> T proceed(int index, Call<T, X> call) throws X;
  }

  /** How one policy type runs the rest of a chain in place of a call. */
  public abstract static class Link {

    /** Creates a link. */
    protected Link() {}

    /**
     * Runs {@code policy}'s logic around {@code rest.proceed(next, call)}.
     *
     * @param policy the policy, of the type this link was registered for
     * @param rest the chain to continue with
     * @param next the level of {@code rest} to run inside the policy
     * @param call the user's call
     * @param <T> the call's result type
     * @param <X> the call's checked exception type
     * @return the result
     * @throws X the call's own failure, unwrapped
     */
    public abstract <T, X extends Exception> T call(
        Policy policy, Chain rest, int next, Call<T, X> call) throws X;
  }

  /** The chain of a lone policy: runs the user's call, whatever the index. */
  public static final Chain DIRECT =
      new Chain() {
        @Override
        public <T, X extends Exception> T proceed(int index, Call<T, X> call) throws X {
          return call.call();
        }
      };

  /** For a policy with no link of its own: wraps the rest in a lambda (one per call). */
  private static final Link THROUGH_LAMBDA =
      new Link() {
        @Override
        public <T, X extends Exception> T call(Policy policy, Chain rest, int next, Call<T, X> call)
            throws X {
          return policy.call(() -> rest.proceed(next, call));
        }
      };

  private static final ConcurrentHashMap<Class<?>, Link> LINKS = new ConcurrentHashMap<>();

  private Chains() {}

  /**
   * Registers the link of a policy class; called from the class's static initializer.
   *
   * @param type the exact (final) policy class
   * @param link its link
   */
  public static void register(Class<? extends Policy> type, Link link) {
    LINKS.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(link, "link"));
  }

  /**
   * Returns the link for {@code policy}: its class's own, or one that wraps the rest of the chain
   * in a lambda.
   *
   * @param policy the policy
   * @return its link
   */
  public static Link linkFor(Policy policy) {
    return LINKS.getOrDefault(policy.getClass(), THROUGH_LAMBDA);
  }
}
