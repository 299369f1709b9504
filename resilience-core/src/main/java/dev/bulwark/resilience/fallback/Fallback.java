package dev.bulwark.resilience.fallback;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.internal.OutcomeCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a call returns instead when it fails: a fixed value, or a value computed from the failure.
 *
 * <p>A fallback is typed by the call's result, so rather than joining a {@link
 * dev.bulwark.resilience.Pipeline} it wraps the whole call, policies included, as its outermost
 * step:
 *
 * <pre>{@code
 * Fallback<Quote> unavailable = Fallback.to(Quote.unavailable()).on(IOException.class, RejectedException.class);
 * Quote quote = unavailable.call(pipeline, () -> upstream.fetchQuote(symbol));
 *
 * Quote cached = Fallback.of(failure -> cache.lastQuote(symbol)).call(() -> upstream.fetchQuote(symbol));
 * }</pre>
 *
 * <p><b>Shape.</b> A {@code Fallback} is immutable and fluent: {@link #on(Class, Class[])}, {@link
 * #when(Predicate)} and {@link #named(String)} return a new fallback and leave the receiver as it
 * was, so a configured fallback is safe to share and a one-off one can be written inline. Each
 * instance has listeners of its own (a derived fallback starts with none), so configure first, then
 * subscribe.
 *
 * <p><b>Which failures.</b> By default every {@link Exception}: the call's own (checked ones
 * included), a policy's refusal ({@link RejectedException}) and a timeout's {@code
 * TimeoutExceededException}. {@link #on(Class, Class[])} narrows that to the given types (for
 * example {@code on(RejectedException.class)} for refusals only) and {@link #when(Predicate)} adds
 * a condition. An {@link Error} is never replaced. A failure that is not handled is rethrown
 * unchanged.
 *
 * <p>A fallback from an {@link InterruptedException} restores the thread's interrupt status before
 * it returns the value, so the interrupt is not lost.
 *
 * @param <T> the type of the call's result
 */
public final class Fallback<T> implements EventSource<FallbackEvent> {

  /**
   * The configuration of a fallback. Like every policy's {@code Config}, it holds the settings that
   * shape behaviour, not the name (read it with {@link #name()}).
   *
   * @param handled the exception types it replaces
   * @param conditional whether a {@link #when(Predicate) condition} must hold as well
   */
  public record Config(List<Class<? extends Exception>> handled, boolean conditional) {
    /** Copies {@code handled} so that the record is immutable. */
    public Config {
      handled = List.copyOf(handled);
    }
  }

  private static final Predicate<Exception> ALWAYS = failure -> true;

  private final String name;
  private final Function<? super Exception, ? extends T> function;
  private final List<Class<? extends Exception>> handled;
  private final Predicate<? super Exception> condition;
  private final Listeners<FallbackEvent> listeners;
  private final OutcomeCounter<FallbackOutcome> counts =
      new OutcomeCounter<>(FallbackOutcome.class);

  private Fallback(
      String name,
      Function<? super Exception, ? extends T> function,
      List<Class<? extends Exception>> handled,
      Predicate<? super Exception> condition) {
    this.name = name;
    this.function = function;
    this.handled = handled;
    this.condition = condition;
    this.listeners = new Listeners<>("fallback '" + name + "'");
  }

  /**
   * A fallback to a fixed value, for any {@link Exception}; named {@code "fallback"}.
   *
   * @param value the value to return instead; may be null
   * @param <T> the type of the call's result
   * @return the fallback
   */
  public static <T> Fallback<T> to(T value) {
    return of(failure -> value);
  }

  /**
   * A fallback to a value computed from the failure, for any {@link Exception}; named {@code
   * "fallback"}. If {@code function} throws, that exception propagates, with the call's failure
   * added to it as suppressed.
   *
   * @param function computes the value to return from the call's failure
   * @param <T> the type of the call's result
   * @return the fallback
   * @throws NullPointerException if {@code function} is null
   */
  public static <T> Fallback<T> of(Function<? super Exception, ? extends T> function) {
    Checks.notNull(function, "function");
    return new Fallback<>("fallback", function, List.of(Exception.class), ALWAYS);
  }

  /**
   * Returns a fallback like this one that replaces only failures of the given types (and their
   * subtypes).
   *
   * @param type a type of failure to replace
   * @param more more types
   * @return a new fallback; this one is unchanged
   * @throws NullPointerException if any type is null
   */
  @SafeVarargs
  public final Fallback<T> on(Class<? extends Exception> type, Class<? extends Exception>... more) {
    Checks.notNull(type, "type");
    Checks.notNull(more, "more");
    List<Class<? extends Exception>> all = new ArrayList<>(more.length + 1);
    all.add(type);
    for (int i = 0; i < more.length; i++) {
      all.add(Checks.notNull(more[i], "on[" + (i + 1) + "]"));
    }
    return new Fallback<>(name, function, List.copyOf(all), condition);
  }

  /**
   * Returns a fallback like this one that replaces a failure of a handled type only if {@code
   * condition} holds for it, for example {@code when(e -> e instanceof HttpException h &&
   * h.status() >= 500)}.
   *
   * @param condition the condition; replaces any earlier one
   * @return a new fallback; this one is unchanged
   * @throws NullPointerException if {@code condition} is null
   */
  public Fallback<T> when(Predicate<? super Exception> condition) {
    Checks.notNull(condition, "condition");
    return new Fallback<>(name, function, handled, condition);
  }

  /**
   * Returns a fallback like this one whose events carry {@code name}.
   *
   * @param name the name
   * @return a new fallback; this one is unchanged
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public Fallback<T> named(String name) {
    Checks.name(name);
    return new Fallback<>(name, function, handled, condition);
  }

  /**
   * Returns the name this fallback's events carry.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns this fallback's configuration.
   *
   * @return the configuration
   */
  public Config config() {
    return new Config(handled, condition != ALWAYS);
  }

  /**
   * Returns the running totals of this fallback's calls by outcome. They count only once {@link
   * CallCounts#start() started} (a metrics binding starts them).
   *
   * @return the counts
   */
  public CallCounts<FallbackOutcome> callCounts() {
    return counts;
  }

  @Override
  public Subscription subscribe(Consumer<? super FallbackEvent> listener) {
    return listeners.subscribe(listener);
  }

  /**
   * Runs {@code call} under {@code policy} (a single policy or a {@link
   * dev.bulwark.resilience.Pipeline}) and returns the fallback value if that fails with a handled
   * failure, refusals of the policy included.
   *
   * @param policy the policies to run the call under
   * @param call the call
   * @param <X> the call's checked exception type
   * @return the call's result, or the fallback value
   * @throws X the call's own failure, unchanged, if this fallback does not handle it
   * @throws NullPointerException if {@code policy} or {@code call} is null
   */
  public <X extends Exception> T call(Policy policy, Call<? extends T, X> call) throws X {
    Checks.notNull(policy, "policy");
    Checks.notNull(call, "call");
    try {
      T result = policy.call(call);
      counts.increment(FallbackOutcome.SUCCESS);
      return result;
    } catch (Exception failure) {
      return handle(failure);
    }
  }

  /**
   * Runs {@code call} with no policy and returns the fallback value if it fails with a handled
   * failure.
   *
   * @param call the call
   * @param <X> the call's checked exception type
   * @return the call's result, or the fallback value
   * @throws X the call's own failure, unchanged, if this fallback does not handle it
   * @throws NullPointerException if {@code call} is null
   */
  public <X extends Exception> T call(Call<? extends T, X> call) throws X {
    Checks.notNull(call, "call");
    try {
      T result = call.call();
      counts.increment(FallbackOutcome.SUCCESS);
      return result;
    } catch (Exception failure) {
      return handle(failure);
    }
  }

  private <X extends Exception> T handle(Exception failure) throws X {
    if (!handles(failure)) {
      counts.increment(FallbackOutcome.FAILURE);
      throw dev.bulwark.resilience.internal.Exceptions.<X>rethrow(failure);
    }
    if (failure instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    T value;
    try {
      value = function.apply(failure);
    } catch (RuntimeException | Error fallbackFailure) {
      counts.increment(FallbackOutcome.FAILURE);
      if (fallbackFailure != failure) {
        fallbackFailure.addSuppressed(failure);
      }
      throw fallbackFailure;
    }
    counts.increment(FallbackOutcome.FALLBACK);
    if (!listeners.isEmpty()) {
      listeners.publish(new FallbackEvent.Used(name, failure));
    }
    return value;
  }

  private boolean handles(Exception failure) {
    for (Class<? extends Exception> type : handled) {
      if (type.isInstance(failure)) {
        return condition.test(failure);
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "Fallback[" + name + ", on " + handled + "]";
  }
}
