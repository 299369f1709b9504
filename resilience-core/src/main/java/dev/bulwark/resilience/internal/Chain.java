package dev.bulwark.resilience.internal;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.Policy;

/**
 * The rest of a pipeline, from one level inward to the user's call. Internal: built once per {@link
 * dev.bulwark.resilience.Pipeline} by {@link #of(Policy[])}; a call only walks it.
 */
public abstract class Chain {

  /*
   * One Chain object per level, built once: level i runs policies[i] around level i + 1, the
   * innermost around DIRECT, which runs the user's call. A level whose policy is a PipelineStep
   * calls its callAround(inner, call) directly; any other policy gets the rest as a lambda.
   *
   * The first levels are instances of distinct classes (Level0 .. Level5), whose proceed methods
   * are copies of each other on purpose. The JIT profiles a call site per method, not per object:
   * a single level class would have one call site, step.callAround(...), that sees every policy
   * type of every pipeline, which is megamorphic, so no level would be inlined into the one
   * outside it and every level would pay a virtual dispatch. With a class per position, the call
   * site of position i sees only the policy types found at position i (one, in a program whose
   * pipelines share a shape), and a policy's rest.proceed(...) sees only the level classes that
   * follow it, so the JIT inlines the whole pipeline into its caller as if the policies had been
   * nested by hand. Levels past the sixth share one class; such pipelines are rare. Chain and
   * PipelineStep are abstract classes, not interfaces, so that each dispatch is a virtual call.
   */

  /** Creates a chain. */
  protected Chain() {}

  /**
   * Runs the levels of this chain, then {@code call}.
   *
   * @param call the user's call
   * @param <T> the call's result type
   * @param <X> the call's checked exception type
   * @return the call's result
   * @throws X the call's own failure, unwrapped
   */
  public abstract <T, X extends Exception> T proceed(Call<T, X> call) throws X;

  /** The chain with no level: runs the user's call. A lone policy's {@code call} uses it. */
  public static final Chain DIRECT =
      new Chain() {
        @Override
        public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
          return call.call();
        }
      };

  /**
   * Builds the levels of a pipeline of {@code outermostFirst}.
   *
   * @param outermostFirst the policies, outermost first, none null
   * @return the outermost level
   */
  public static Chain of(Policy[] outermostFirst) {
    Chain inner = DIRECT;
    for (int i = outermostFirst.length - 1; i >= 0; i--) {
      inner = level(i, outermostFirst[i], inner);
    }
    return inner;
  }

  private static Chain level(int position, Policy policy, Chain inner) {
    if (!(policy instanceof PipelineStep step)) {
      return new Foreign(policy, inner);
    }
    return switch (position) {
      case 0 -> new Level0(step, inner);
      case 1 -> new Level1(step, inner);
      case 2 -> new Level2(step, inner);
      case 3 -> new Level3(step, inner);
      case 4 -> new Level4(step, inner);
      case 5 -> new Level5(step, inner);
      default -> new Deeper(step, inner);
    };
  }

  /** A level of a Bulwark policy: its step and the level inside it. */
  private abstract static class Level extends Chain {
    final PipelineStep step;
    final Chain inner;

    Level(PipelineStep step, Chain inner) {
      this.step = step;
      this.inner = inner;
    }
  }

  private static final class Level0 extends Level {
    Level0(PipelineStep step, Chain inner) {
      super(step, inner);
    }

    @Override
    public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
      return step.callAround(inner, call);
    }
  }

  private static final class Level1 extends Level {
    Level1(PipelineStep step, Chain inner) {
      super(step, inner);
    }

    @Override
    public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
      return step.callAround(inner, call);
    }
  }

  private static final class Level2 extends Level {
    Level2(PipelineStep step, Chain inner) {
      super(step, inner);
    }

    @Override
    public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
      return step.callAround(inner, call);
    }
  }

  private static final class Level3 extends Level {
    Level3(PipelineStep step, Chain inner) {
      super(step, inner);
    }

    @Override
    public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
      return step.callAround(inner, call);
    }
  }

  private static final class Level4 extends Level {
    Level4(PipelineStep step, Chain inner) {
      super(step, inner);
    }

    @Override
    public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
      return step.callAround(inner, call);
    }
  }

  private static final class Level5 extends Level {
    Level5(PipelineStep step, Chain inner) {
      super(step, inner);
    }

    @Override
    public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
      return step.callAround(inner, call);
    }
  }

  private static final class Deeper extends Level {
    Deeper(PipelineStep step, Chain inner) {
      super(step, inner);
    }

    @Override
    public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
      return step.callAround(inner, call);
    }
  }

  /** A level of a policy that is not a step (a user's own): the rest as a lambda, one per call. */
  private static final class Foreign extends Chain {
    private final Policy policy;
    private final Chain inner;

    Foreign(Policy policy, Chain inner) {
      this.policy = policy;
      this.inner = inner;
    }

    @Override
    public <T, X extends Exception> T proceed(Call<T, X> call) throws X {
      return policy.call(() -> inner.proceed(call));
    }
  }
}
