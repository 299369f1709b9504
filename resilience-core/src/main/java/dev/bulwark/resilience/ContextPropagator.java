package dev.bulwark.resilience;

import dev.bulwark.resilience.internal.Checks;
import java.util.List;

/**
 * Carries the caller's thread context — a logging MDC, a trace span, any {@link ThreadLocal} — to
 * work that Bulwark runs on another thread on the caller's behalf: a hedge's attempts, a fan-out's
 * branches, a generator's producer, a background job.
 *
 * <p>Bulwark calls {@link #capture()} on the caller's thread when the work is handed over, and
 * {@link Snapshot#restore()} on the thread that runs it, closing the returned {@link Scope} when
 * the work ends, so a pooled thread never keeps a context that is not its own. Every component that
 * hops threads takes one on its builder ({@code .contextPropagator(...)}); the default is {@link
 * #none()}, which carries nothing and costs nothing.
 *
 * <p>The core has no logging dependency, so an SLF4J MDC bridge is the application's four lines:
 *
 * <pre>{@code
 * ContextPropagator mdc = () -> {
 *   Map<String, String> captured = MDC.getCopyOfContextMap();
 *   return () -> {
 *     Map<String, String> previous = MDC.getCopyOfContextMap();
 *     if (captured == null) MDC.clear(); else MDC.setContextMap(captured);
 *     return () -> { if (previous == null) MDC.clear(); else MDC.setContextMap(previous); };
 *   };
 * };
 * }</pre>
 *
 * <p>Implementations must not throw from {@code capture}, {@code restore} or {@code close}; if one
 * does, the exception reaches the caller of the work (capture) or ends that piece of work (restore,
 * close) like any failure of the work itself.
 */
@FunctionalInterface
public interface ContextPropagator {

  /**
   * Captures the calling thread's context. Called on the thread that hands the work over.
   *
   * @return the captured context, to be restored on the thread that runs the work
   */
  Snapshot capture();

  /** A captured context, restorable on any thread, any number of times. */
  @FunctionalInterface
  interface Snapshot {

    /**
     * Installs the captured context on the current thread.
     *
     * @return a scope whose {@link Scope#close()} puts back what the thread had before
     */
    Scope restore();
  }

  /** The span during which a restored context is installed on a thread. */
  @FunctionalInterface
  interface Scope extends AutoCloseable {

    /** Puts back the context the thread had before {@link Snapshot#restore()}. */
    @Override
    void close();
  }

  /**
   * Returns the propagator that carries nothing: the default of every builder.
   *
   * @return the no-op propagator, a singleton
   */
  static ContextPropagator none() {
    return NoContext.PROPAGATOR;
  }

  /**
   * Returns a propagator that copies the value of one {@link ThreadLocal} to the thread that runs
   * the work, and restores that thread's own value afterwards.
   *
   * @param local the thread-local to carry
   * @param <T> the type of its value
   * @return a propagator of that one value
   * @throws NullPointerException if {@code local} is null
   */
  static <T> ContextPropagator threadLocal(ThreadLocal<T> local) {
    Checks.notNull(local, "local");
    return () -> {
      T captured = local.get();
      return () -> {
        T previous = local.get();
        local.set(captured);
        return () -> local.set(previous);
      };
    };
  }

  /**
   * Returns a propagator that carries what each of {@code propagators} carries: captured and
   * restored in the order given, closed in the reverse order.
   *
   * @param propagators the propagators to combine
   * @return the combined propagator
   * @throws NullPointerException if the array or any element is null
   */
  static ContextPropagator of(ContextPropagator... propagators) {
    Checks.notNull(propagators, "propagators");
    List<ContextPropagator> all = List.of(propagators);
    return () -> {
      List<Snapshot> snapshots = all.stream().map(ContextPropagator::capture).toList();
      return () -> {
        Scope[] scopes = new Scope[snapshots.size()];
        for (int i = 0; i < scopes.length; i++) {
          scopes[i] = snapshots.get(i).restore();
        }
        return () -> {
          for (int i = scopes.length - 1; i >= 0; i--) {
            scopes[i].close();
          }
        };
      };
    };
  }

  /**
   * Captures the calling thread's context now and returns {@code task} wrapped so that it runs with
   * that context restored.
   *
   * @param task the work to run elsewhere
   * @return the wrapped task; {@code task} itself when this is {@link #none()}
   * @throws NullPointerException if {@code task} is null
   */
  default Runnable wrap(Runnable task) {
    Checks.notNull(task, "task");
    if (this == none()) {
      return task;
    }
    Snapshot snapshot = capture();
    return () -> {
      Scope scope = snapshot.restore();
      try {
        task.run();
      } finally {
        scope.close();
      }
    };
  }
}

/** The no-op propagator and its constant parts. */
final class NoContext {
  static final ContextPropagator.Scope SCOPE = () -> {};
  static final ContextPropagator.Snapshot SNAPSHOT = () -> SCOPE;
  static final ContextPropagator PROPAGATOR = () -> SNAPSHOT;

  private NoContext() {}
}
