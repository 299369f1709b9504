package dev.bulwark.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ListenersTest {

  private final Listeners<String> listeners = new Listeners<>("test 'events'");

  @Test
  void aThrowingListenerIsLoggedAndTheOthersStillRun() {
    List<String> seen = new ArrayList<>();
    List<LogRecord> logged = new ArrayList<>();
    Logger logger = Logger.getLogger("dev.bulwark.events");
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      listeners.subscribe(e -> seen.add("first " + e));
      listeners.subscribe(
          e -> {
            throw new IllegalStateException("listener bug");
          });
      listeners.subscribe(e -> seen.add("third " + e));

      listeners.publish("x");
    } finally {
      logger.removeHandler(handler);
    }

    assertThat(seen).containsExactly("first x", "third x");
    assertThat(logged).hasSize(1);
    assertThat(logged.getFirst().getLevel()).isEqualTo(Level.WARNING);
    assertThat(logged.getFirst().getMessage()).isEqualTo("listener of test 'events' threw on x");
    assertThat(logged.getFirst().getThrown()).hasMessage("listener bug");
  }

  @Test
  void aVirtualMachineErrorIsNotSwallowed() {
    listeners.subscribe(
        e -> {
          throw new StackOverflowError("deep");
        });

    assertThatThrownBy(() -> listeners.publish("x")).isInstanceOf(StackOverflowError.class);
  }

  @Test
  void closingTheSubscriptionRemovesTheListenerAndTwiceIsHarmless() {
    List<String> seen = new ArrayList<>();
    Subscription first = listeners.subscribe(e -> seen.add("first " + e));
    Subscription second = listeners.subscribe(e -> seen.add("second " + e));

    listeners.publish("a");
    first.close();
    listeners.publish("b");
    first.close();
    listeners.publish("c");
    second.close();
    second.close();
    listeners.publish("d");

    assertThat(seen).containsExactly("first a", "second a", "second b", "second c");
    assertThat(listeners.isEmpty()).isTrue();
  }

  @Test
  void theSameListenerTwiceIsTwoSubscriptions() {
    List<String> seen = new ArrayList<>();
    java.util.function.Consumer<String> listener = seen::add;
    Subscription one = listeners.subscribe(listener);
    listeners.subscribe(listener);

    listeners.publish("x");
    one.close();
    listeners.publish("y");

    assertThat(seen).containsExactly("x", "x", "y");
  }

  @Test
  void isEmptyAgainOnlyOnceTheLastListenerLeavesInAnyOrder() {
    Subscription a = listeners.subscribe(e -> {});
    Subscription b = listeners.subscribe(e -> {});
    a.close();
    assertThat(listeners.isEmpty()).isFalse();
    a.close(); // twice is harmless
    assertThat(listeners.isEmpty()).isFalse();
    b.close();
    assertThat(listeners.isEmpty()).isTrue();
    Subscription c = listeners.subscribe(e -> {});
    assertThat(listeners.isEmpty()).isFalse();
    c.close();
    assertThat(listeners.isEmpty()).isTrue();
  }

  @Test
  void isEmptyUntilSomeoneSubscribes() {
    assertThat(listeners.isEmpty()).isTrue();
    listeners.publish("nobody hears this");
    Subscription s = listeners.subscribe(e -> {});
    assertThat(listeners.isEmpty()).isFalse();
    assertThat(listeners).hasToString("Listeners[test 'events', 1]");
    s.close();
    assertThat(listeners.isEmpty()).isTrue();
  }

  @Test
  void rejectsNulls() {
    assertThatThrownBy(() -> listeners.subscribe(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
    assertThatThrownBy(() -> new Listeners<String>(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("owner");
  }
}
