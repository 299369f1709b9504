package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ContextPropagatorTest {

  private static final ThreadLocal<String> USER = new ThreadLocal<>();
  private static final ThreadLocal<String> TRACE = new ThreadLocal<>();

  @Test
  void aThreadLocalFollowsTheWorkToAnotherThreadAndIsRemovedAfterwards() throws Exception {
    var propagator = ContextPropagator.threadLocal(USER);
    USER.set("alice");
    Runnable task;
    var seen = new AtomicReference<String>();
    var after = new AtomicReference<String>("unset");
    try {
      Runnable inner = () -> seen.set(USER.get());
      task = propagator.wrap(inner);
    } finally {
      USER.remove();
    }
    Thread thread =
        Thread.ofVirtual()
            .start(
                () -> {
                  task.run();
                  after.set(USER.get());
                });
    thread.join();
    assertThat(seen).hasValue("alice");
    assertThat(after.get()).isNull();
  }

  @Test
  void restoringPutsBackTheThreadsOwnValue() {
    var snapshot = ContextPropagator.threadLocal(USER).capture(); // captures null here
    USER.set("bob");
    try {
      var scope = snapshot.restore();
      assertThat(USER.get()).isNull();
      scope.close();
      assertThat(USER.get()).isEqualTo("bob");
    } finally {
      USER.remove();
    }
  }

  @Test
  void combinedPropagatorsRestoreInOrderAndCloseInReverse() {
    List<String> log = new ArrayList<>();
    ContextPropagator a = recording("a", log);
    ContextPropagator b = recording("b", log);
    var snapshot = ContextPropagator.of(a, b).capture();
    var scope = snapshot.restore();
    log.add("work");
    scope.close();
    assertThat(log)
        .containsExactly(
            "capture a", "capture b", "restore a", "restore b", "work", "close b", "close a");
  }

  @Test
  void combinedThreadLocalsAllFollow() throws Exception {
    var propagator =
        ContextPropagator.of(
            ContextPropagator.threadLocal(USER), ContextPropagator.threadLocal(TRACE));
    USER.set("carol");
    TRACE.set("t-1");
    Runnable task;
    var seen = new AtomicReference<String>();
    try {
      task = propagator.wrap(() -> seen.set(USER.get() + "/" + TRACE.get()));
    } finally {
      USER.remove();
      TRACE.remove();
    }
    Thread.ofVirtual().start(task).join();
    assertThat(seen).hasValue("carol/t-1");
  }

  @Test
  void noneWrapsNothing() {
    Runnable task = () -> {};
    assertThat(ContextPropagator.none().wrap(task)).isSameAs(task);
    var scope = ContextPropagator.none().capture().restore();
    assertThat(scope).isNotNull();
    scope.close();
  }

  @Test
  void nullsAreRefusedByName() {
    assertThatThrownBy(() -> ContextPropagator.threadLocal(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("local");
    assertThatThrownBy(() -> ContextPropagator.none().wrap(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("task");
  }

  private static ContextPropagator recording(String name, List<String> log) {
    return () -> {
      log.add("capture " + name);
      return () -> {
        log.add("restore " + name);
        return () -> log.add("close " + name);
      };
    };
  }
}
