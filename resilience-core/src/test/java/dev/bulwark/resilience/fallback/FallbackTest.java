package dev.bulwark.resilience.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FallbackTest {

  record Quote(String symbol, double price) {
    static Quote unavailable() {
      return new Quote("?", Double.NaN);
    }
  }

  static final class Refused extends RejectedException {
    @Serial private static final long serialVersionUID = 1L;

    Refused() {
      super("gate", Duration.ofSeconds(1), "gate 'gate' is closed; try again in 1s");
    }
  }

  /** A policy that refuses every call, as an open circuit would. */
  private static final Policy REFUSING =
      new Policy() {
        @Override
        public String name() {
          return "gate";
        }

        @Override
        public <T, X extends Exception> T call(Call<T, X> call) {
          throw new Refused();
        }
      };

  private static Quote failWith(Exception e) throws Exception {
    throw e;
  }

  @Test
  void returnsTheCallsResultWhenItSucceeds() throws IOException {
    Quote quote = new Quote("ACME", 1.5);
    assertThat(Fallback.to(Quote.unavailable()).call(() -> quote)).isSameAs(quote);
  }

  @Test
  void returnsTheValueForAnyExceptionByDefaultCheckedOnesIncluded() throws Exception {
    Fallback<Quote> fallback = Fallback.to(Quote.unavailable());
    assertThat(fallback.call(() -> failWith(new IOException("down"))))
        .isEqualTo(Quote.unavailable());
    assertThat(fallback.call(() -> failWith(new IllegalStateException("bug"))))
        .isEqualTo(Quote.unavailable());
    assertThat(fallback.call(REFUSING, () -> new Quote("ACME", 1))).isEqualTo(Quote.unavailable());
  }

  @Test
  void computesTheValueFromTheFailure() {
    Fallback<String> fallback = Fallback.of(failure -> "because " + failure.getMessage());
    assertThat(fallback.call(REFUSING, () -> "fresh"))
        .isEqualTo("because gate 'gate' is closed; try again in 1s");
  }

  @Test
  void replacesOnlyTheChosenTypesAndRethrowsOthersUnchanged() throws IOException {
    Fallback<Quote> onIo = Fallback.to(Quote.unavailable()).on(IOException.class);
    assertThat(onIo.call(() -> failWith2(new java.io.FileNotFoundException("gone"))))
        .isEqualTo(Quote.unavailable());
    IllegalStateException bug = new IllegalStateException("bug");
    assertThatThrownBy(() -> onIo.call(() -> failWith2(bug))).isSameAs(bug);
    Refused refused = new Refused();
    Fallback<Quote> onRefusals = Fallback.to(Quote.unavailable()).on(RejectedException.class);
    assertThat(onRefusals.call(REFUSING, () -> new Quote("ACME", 1)))
        .isEqualTo(Quote.unavailable());
    IOException down = new IOException("down");
    assertThatThrownBy(() -> onRefusals.call(() -> failWith2(down))).isSameAs(down);
    assertThat(refused.policyName()).isEqualTo("gate");
  }

  private static Quote failWith2(Exception e) throws IOException {
    if (e instanceof IOException io) {
      throw io;
    }
    throw (RuntimeException) e;
  }

  @Test
  void appliesTheConditionToHandledTypes() throws IOException {
    Fallback<String> fallback =
        Fallback.to("cached").on(IOException.class).when(e -> e.getMessage().startsWith("5"));
    assertThat(fallback.call(() -> failString(new IOException("503")))).isEqualTo("cached");
    IOException notFound = new IOException("404");
    assertThatThrownBy(() -> fallback.call(() -> failString(notFound))).isSameAs(notFound);
  }

  private static String failString(IOException e) throws IOException {
    throw e;
  }

  @Test
  void neverReplacesAnError() {
    AssertionError error = new AssertionError("broken");
    assertThatThrownBy(
            () ->
                Fallback.to("x")
                    .call(
                        () -> {
                          throw error;
                        }))
        .isSameAs(error);
  }

  @Test
  void replacesATimeoutAsTheOutermostStepOfAPipeline() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Timeout timeout = Timeout.builder("t").timeout(Duration.ofMillis(1)).timeSource(time).build();
    Fallback<String> fallback = Fallback.to("late").on(TimeoutExceededException.class);
    // the nested call starts after the deadline has passed, so it fails at once, deterministically
    String result =
        fallback.call(
            timeout,
            () -> {
              time.advance(Duration.ofSeconds(1));
              return timeout.call(() -> "fresh");
            });
    assertThat(result).isEqualTo("late");
    assertThat(Thread.interrupted()).isFalse();
  }

  @Test
  void restoresTheInterruptWhenItReplacesAnInterruptedException() throws Exception {
    String result = Fallback.to("stale").call(() -> failString3(new InterruptedException()));
    assertThat(result).isEqualTo("stale");
    assertThat(Thread.interrupted()).isTrue();
  }

  private static String failString3(InterruptedException e) throws InterruptedException {
    throw e;
  }

  @Test
  void aFailingFallbackFunctionPropagatesWithTheCallsFailureSuppressed() {
    IOException down = new IOException("down");
    Fallback<String> fallback =
        Fallback.of(
            failure -> {
              throw new UncheckedIOException("cache down too", (IOException) failure);
            });
    assertThatThrownBy(() -> fallback.call(() -> failString(down)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessage("cache down too")
        .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(down));
  }

  @Test
  void publishesAnEventWhenItIsUsedAndIsImmutable() throws IOException {
    Fallback<String> base = Fallback.to("cached");
    Fallback<String> named = base.named("quotes").on(IOException.class);
    assertThat(base.config()).isEqualTo(new Fallback.Config(List.of(Exception.class), false));
    assertThat(base.name()).isEqualTo("fallback");
    assertThat(named.config()).isEqualTo(new Fallback.Config(List.of(IOException.class), false));
    assertThat(named.name()).isEqualTo("quotes");
    assertThat(named.when(e -> true).config().conditional()).isTrue();
    List<FallbackEvent> events = new ArrayList<>();
    var subscription = named.subscribe(events::add);
    IOException down = new IOException("down");
    named.call(() -> "fresh");
    named.call(() -> failString(down));
    subscription.close();
    named.call(() -> failString(down));
    assertThat(events).containsExactly(new FallbackEvent.Used("quotes", down));
    assertThat(named.name()).isEqualTo("quotes");
  }

  @Test
  void rejectsBadConfigurationNamingTheSetting() {
    assertThatThrownBy(() -> Fallback.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("function");
    Fallback<String> fallback = Fallback.to(null);
    assertThatThrownBy(() -> fallback.on(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("type");
    assertThatThrownBy(() -> fallback.on(IOException.class, (Class<? extends Exception>) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("on[1]");
    assertThatThrownBy(() -> fallback.when(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("condition");
    assertThatThrownBy(() -> fallback.named(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> fallback.call(null, () -> "x"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("policy");
    assertThatThrownBy(() -> fallback.call(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("call");
  }
}
