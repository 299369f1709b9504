package dev.bulwark.resilience.retry;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.retry.RetryEvent.Failed.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RetryTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private final List<RetryEvent> events = new ArrayList<>();

  /** A call that fails {@code failures} times with the given exceptions, then returns "ok". */
  private static final class Flaky {
    final AtomicInteger calls = new AtomicInteger();
    final Exception[] failures;

    Flaky(Exception... failures) {
      this.failures = failures;
    }

    String call() throws Exception {
      int n = calls.getAndIncrement();
      if (n < failures.length) {
        throw failures[n];
      }
      return "ok";
    }
  }

  private Retry.Builder retry() {
    return Retry.builder("quotes").timeSource(time);
  }

  private Retry listened(Retry retry) {
    retry.subscribe(events::add);
    return retry;
  }

  @Test
  void defaultsAreThreeAttemptsWithAFixedHalfSecondWait() throws Exception {
    Retry retry = Retry.builder("quotes").timeSource(time).build();
    IOException down = new IOException("down");
    Flaky flaky = new Flaky(down, down, down, down);

    assertThatThrownBy(() -> retry.call(flaky::call)).isSameAs(down);

    assertThat(flaky.calls).hasValue(3);
    assertThat(time.sleeps()).containsExactly(ofMillis(500), ofMillis(500));
    Retry.Config config = retry.config();
    assertThat(config.maxAttempts()).isEqualTo(3);
    assertThat(config.maxDuration()).isEmpty();
    assertThat(config.backoff().config().kind()).isEqualTo(Backoff.Kind.FIXED);
    assertThat(config.backoff().config().initial()).isEqualTo(ofMillis(500));
    assertThat(config.retryOn()).containsExactly(Exception.class);
    assertThat(config.budget()).isEmpty();
    assertThat(config.maxRetryAfter()).isEqualTo(ofSeconds(1));
  }

  @Test
  void sleepsFollowTheBackoffTimeline() throws Exception {
    Retry retry =
        retry()
            .maxAttempts(5)
            .backoff(Backoff.exponential(ofMillis(100), ofSeconds(1)).build())
            .build();
    Flaky flaky = new Flaky(new IOException("1"), new IOException("2"), new IOException("3"));

    assertThat(retry.call(flaky::call)).isEqualTo("ok");

    assertThat(flaky.calls).hasValue(4);
    assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(200), ofMillis(400));
  }

  @Test
  void eachCallDrawsAFreshDelaySequence() throws Exception {
    Retry retry = retry().backoff(Backoff.exponential(ofMillis(100), ofSeconds(1)).build()).build();

    retry.call(new Flaky(new IOException())::call);
    retry.call(new Flaky(new IOException())::call);

    assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(100));
  }

  @Test
  void firstSuccessNeitherSleepsNorRetries() throws Exception {
    Retry retry = listened(retry().build());

    assertThat(retry.call(() -> 42)).isEqualTo(42);

    assertThat(time.sleeps()).isEmpty();
    assertThat(events).containsExactly(new RetryEvent.Succeeded("quotes", 1));
  }

  @Test
  void checkedExceptionPassesThroughAsTheSameInstance() {
    Retry retry = retry().build();
    TimeoutException last = new TimeoutException("third");
    Flaky flaky = new Flaky(new TimeoutException("first"), new TimeoutException("second"), last);

    Throwable thrown = catchThrowable(() -> retry.call(flaky::call));

    assertThat(thrown).isSameAs(last);
    assertThat(thrown.getSuppressed()).isEmpty();
  }

  @Test
  void runRetriesAnAction() throws IOException {
    Retry retry = retry().build();
    AtomicInteger runs = new AtomicInteger();

    retry.run(
        () -> {
          if (runs.incrementAndGet() < 2) {
            throw new IOException("once");
          }
        });

    assertThat(runs).hasValue(2);
  }

  @Test
  void retriesOnlyTheGivenExceptionTypes() {
    Retry retry = retry().maxAttempts(5).retryOn(IOException.class).build();
    IllegalStateException notRetried = new IllegalStateException("bug");
    Flaky flaky = new Flaky(new UncheckedIOException(new IOException()), notRetried);

    // UncheckedIOException is not an IOException: the first failure already ends the loop
    assertThatThrownBy(() -> retry.call(flaky::call)).isInstanceOf(UncheckedIOException.class);
    assertThat(flaky.calls).hasValue(1);

    Flaky io = new Flaky(new java.io.FileNotFoundException("subtype"), notRetried);
    assertThatThrownBy(() -> retry.call(io::call)).isSameAs(notRetried);
    assertThat(io.calls).hasValue(2);
  }

  @Test
  void retriesOnlyWhatThePredicateAccepts() {
    Retry retry =
        listened(
            retry().maxAttempts(5).retryIf(e -> e.getMessage().startsWith("transient")).build());
    IOException permanent = new IOException("permanent");
    Flaky flaky = new Flaky(new IOException("transient 1"), permanent);

    assertThatThrownBy(() -> retry.call(flaky::call)).isSameAs(permanent);

    assertThat(flaky.calls).hasValue(2);
    assertThat(events.getLast())
        .isEqualTo(new RetryEvent.Failed("quotes", 2, permanent, Reason.NOT_RETRYABLE));
  }

  @Test
  void typesAndPredicateMustBothAgree() {
    Retry retry =
        retry()
            .maxAttempts(5)
            .retryOn(IOException.class)
            .retryIf(e -> !e.getMessage().equals("stop"))
            .build();
    RuntimeException wrongType = new IllegalStateException("go");
    IOException stop = new IOException("stop");

    assertThatThrownBy(() -> retry.call(new Flaky(wrongType)::call)).isSameAs(wrongType);
    Flaky flaky = new Flaky(new IOException("go"), stop);
    assertThatThrownBy(() -> retry.call(flaky::call)).isSameAs(stop);
    assertThat(flaky.calls).hasValue(2);
  }

  @Test
  void errorsAreNeverRetried() {
    Retry retry = retry().maxAttempts(5).retryIf(e -> true).build();
    AtomicInteger calls = new AtomicInteger();
    AssertionError error = new AssertionError("broken");

    assertThatThrownBy(
            () ->
                retry.call(
                    () -> {
                      calls.incrementAndGet();
                      throw error;
                    }))
        .isSameAs(error);
    assertThat(calls).hasValue(1);
  }

  @Test
  void interruptedExceptionIsNeverRetried() {
    Retry retry = retry().maxAttempts(5).build();
    InterruptedException interrupted = new InterruptedException();
    Flaky flaky = new Flaky(interrupted);

    assertThatThrownBy(() -> retry.call(flaky::call)).isSameAs(interrupted);
    assertThat(flaky.calls).hasValue(1);
  }

  @Test
  void retriesARejectedResultAndReturnsItWhenAttemptsRunOut() throws Exception {
    Retry retry =
        listened(retry().maxAttempts(3).retryOnResult(r -> r == null || r.equals(503)).build());
    AtomicInteger calls = new AtomicInteger();

    Integer result = retry.call(() -> calls.incrementAndGet() < 3 ? null : 503);

    assertThat(result).isEqualTo(503);
    assertThat(calls).hasValue(3);
    assertThat(time.sleeps()).hasSize(2);
    assertThat(events)
        .containsExactly(
            new RetryEvent.Retrying("quotes", 1, ofMillis(500), null),
            new RetryEvent.Retrying("quotes", 2, ofMillis(500), null),
            new RetryEvent.Failed("quotes", 3, null, Reason.ATTEMPTS_EXHAUSTED));
  }

  @Test
  void anAcceptedResultAfterARejectedOneEndsTheLoop() throws Exception {
    Retry retry = retry().maxAttempts(5).retryOnResult("busy"::equals).build();
    AtomicInteger calls = new AtomicInteger();

    String result = retry.call(() -> calls.incrementAndGet() == 1 ? "busy" : "done");

    assertThat(result).isEqualTo("done");
    assertThat(calls).hasValue(2);
  }

  @Test
  void publishesRetryingThenSucceeded() throws Exception {
    Retry retry = listened(retry().build());
    IOException down = new IOException("down");

    retry.call(new Flaky(down)::call);

    assertThat(events)
        .containsExactly(
            new RetryEvent.Retrying("quotes", 1, ofMillis(500), down),
            new RetryEvent.Succeeded("quotes", 2));
  }

  @Test
  void publishesFailedWhenAttemptsRunOut() {
    Retry retry = listened(retry().maxAttempts(2).build());
    IOException last = new IOException("2");

    assertThatThrownBy(() -> retry.call(new Flaky(new IOException("1"), last)::call))
        .isSameAs(last);

    assertThat(events.getLast())
        .isEqualTo(new RetryEvent.Failed("quotes", 2, last, Reason.ATTEMPTS_EXHAUSTED));
    assertThat(events).hasSize(2);
  }

  @Test
  void maxAttemptsOfOneNeverRetries() {
    Retry retry = retry().maxAttempts(1).build();
    Flaky flaky = new Flaky(new IOException());

    assertThatThrownBy(() -> retry.call(flaky::call)).isInstanceOf(IOException.class);
    assertThat(flaky.calls).hasValue(1);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void givesUpAtOnceWhenTheNextWaitWouldReachMaxDuration() {
    Retry retry =
        listened(
            retry()
                .maxAttempts(10)
                .maxDuration(ofSeconds(1))
                .backoff(Backoff.exponential(ofMillis(200), ofSeconds(10)).build())
                .build());
    IOException down = new IOException("down");
    Flaky flaky = new Flaky(down, down, down, down, down);

    assertThatThrownBy(() -> retry.call(flaky::call)).isSameAs(down);

    // 200 + 400 = 600ms; the next wait of 800ms would end at 1.4s, past the 1s bound
    assertThat(time.sleeps()).containsExactly(ofMillis(200), ofMillis(400));
    assertThat(time.elapsed()).isEqualTo(ofMillis(600));
    assertThat(flaky.calls).hasValue(3);
    assertThat(events.getLast())
        .isEqualTo(new RetryEvent.Failed("quotes", 3, down, Reason.DEADLINE));
  }

  @Test
  void maxDurationCountsTheTimeTheAttemptsTake() {
    Retry retry =
        retry().maxAttempts(10).maxDuration(ofSeconds(1)).backoff(fixed(ofMillis(100))).build();
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(
            () ->
                retry.call(
                    () -> {
                      calls.incrementAndGet();
                      time.advance(ofMillis(300)); // each attempt takes 300ms
                      throw new IOException("slow failure");
                    }))
        .isInstanceOf(IOException.class);

    // attempts start at 0, 400ms, 800ms; the third ends at 1.1s, past the bound
    assertThat(calls).hasValue(3);
    assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(100));
  }

  @Test
  void waitsAtLeastTheRetryAfterOfAnInnerRefusal() throws Exception {
    Retry retry = retry().backoff(fixed(ofMillis(100))).maxRetryAfter(ofSeconds(2)).build();
    Flaky flaky = new Flaky(new RetryTestRefusal(ofSeconds(2)), new RetryTestRefusal(ofMillis(50)));

    assertThat(retry.call(flaky::call)).isEqualTo("ok");

    assertThat(time.sleeps()).containsExactly(ofSeconds(2), ofMillis(100));
  }

  @Test
  void rethrowsAtOnceARefusalWhoseRetryAfterExceedsMaxRetryAfter() {
    // Issue 11 item 3: an open breaker's 30 s used to be slept through before the next attempt.
    Retry retry = listened(retry().maxAttempts(3).build());
    RetryTestRefusal open = new RetryTestRefusal(ofSeconds(30));
    Flaky flaky = new Flaky(open);

    assertThatThrownBy(() -> retry.call(flaky::call)).isSameAs(open);

    assertThat(flaky.calls).hasValue(1);
    assertThat(time.sleeps()).isEmpty();
    assertThat(events)
        .containsExactly(new RetryEvent.Failed("quotes", 1, open, Reason.RETRY_AFTER_TOO_LONG));
  }

  @Test
  void waitsOutARefusalWhoseRetryAfterIsWithinTheDefaultBoundOfOneSecond() throws Exception {
    Retry retry = retry().backoff(fixed(ofMillis(100))).build();
    Flaky flaky =
        new Flaky(new RetryTestRefusal(ofSeconds(1)), new RetryTestRefusal(ofMillis(1001)));

    assertThatThrownBy(() -> retry.call(flaky::call)).isInstanceOf(RetryTestRefusal.class);

    assertThat(time.sleeps()).containsExactly(ofSeconds(1)); // the second hint is past the bound
    assertThat(retry.config().maxRetryAfter()).isEqualTo(ofSeconds(1));
  }

  @Test
  void aZeroMaxRetryAfterNeverWaitsForAHintButStillRetriesRefusalsWithoutOne() throws Exception {
    Retry retry = retry().backoff(fixed(ofMillis(100))).maxRetryAfter(Duration.ZERO).build();
    RetryTestRefusal limited = new RetryTestRefusal(ofMillis(1));

    assertThatThrownBy(() -> retry.call(new Flaky(limited)::call)).isSameAs(limited);
    assertThat(retry.call(new Flaky(new RetryTestRefusal(null))::call)).isEqualTo("ok");
    assertThat(time.sleeps()).containsExactly(ofMillis(100));
  }

  @Test
  void judgesACompletionOrExecutionExceptionByItsCauseAndRethrowsItAsThrown() throws Exception {
    // Issue 11 item 14: a wrapped IOException was not retried by retryOn(IOException.class).
    Retry retry = retry().retryOn(IOException.class).backoff(fixed(ofMillis(100))).build();
    CompletionException wrapped = new CompletionException(new IOException("down"));
    ExecutionException nested =
        new ExecutionException(new CompletionException(new IOException("down")));
    Flaky flaky = new Flaky(wrapped, nested);

    assertThat(retry.call(flaky::call)).isEqualTo("ok");
    assertThat(flaky.calls).hasValue(3);

    CompletionException notRetried = new CompletionException(new IllegalStateException("bug"));
    assertThatThrownBy(() -> retry.call(new Flaky(notRetried)::call)).isSameAs(notRetried);
    CompletionException causeless = new CompletionException("no cause", null);
    assertThatThrownBy(() -> retry.call(new Flaky(causeless)::call)).isSameAs(causeless);
  }

  @Test
  void honoursTheRetryAfterOfAWrappedRefusal() throws Exception {
    Retry retry = retry().backoff(fixed(ofMillis(100))).build();
    Flaky flaky = new Flaky(new CompletionException(new RetryTestRefusal(ofMillis(700))));

    assertThat(retry.call(flaky::call)).isEqualTo("ok");
    assertThat(time.sleeps()).containsExactly(ofMillis(700));
  }

  @Test
  void retriesARefusalWithoutRetryAfterOnTheBackoff() throws Exception {
    Retry retry = retry().backoff(fixed(ofMillis(100))).build();

    assertThat(retry.call(new Flaky(new RetryTestRefusal(null))::call)).isEqualTo("ok");

    assertThat(time.sleeps()).containsExactly(ofMillis(100));
  }

  @Test
  void givesUpAtOnceWhenTheRetryAfterIsPastTheDeadline() {
    Retry retry =
        listened(
            retry()
                .maxDuration(ofSeconds(1))
                .backoff(fixed(ofMillis(100)))
                .maxRetryAfter(ofSeconds(10))
                .build());
    RetryTestRefusal refused = new RetryTestRefusal(ofSeconds(5));

    assertThatThrownBy(() -> retry.call(new Flaky(refused)::call)).isSameAs(refused);

    assertThat(time.sleeps()).isEmpty();
    assertThat(events)
        .containsExactly(new RetryEvent.Failed("quotes", 1, refused, Reason.DEADLINE));
  }

  @Test
  void budgetDenialRethrowsTheLastFailureWithTheRefusalSuppressed() {
    RetryBudget budget =
        RetryBudget.builder().ratio(0).minRetriesPerSecond(0).timeSource(time).build();
    Retry retry = listened(retry().budget(budget).build());
    IOException down = new IOException("down");
    Flaky flaky = new Flaky(down, new IOException("never reached"));

    Throwable thrown = catchThrowable(() -> retry.call(flaky::call));

    assertThat(thrown).isSameAs(down);
    assertThat(thrown.getSuppressed())
        .singleElement()
        .isInstanceOf(RetryBudgetExhaustedException.class);
    RetryBudgetExhaustedException refusal =
        (RetryBudgetExhaustedException) thrown.getSuppressed()[0];
    assertThat(refusal.policyName()).isEqualTo("quotes");
    assertThat(refusal.retryAfter()).isEmpty();
    assertThat(refusal)
        .hasMessage(
            "retry budget of 'quotes' is exhausted; retries resume as more calls are made (each adds"
                + " a share of a retry, whether it succeeds or not) or as the budget's window moves"
                + " on; the dependency is failing often");
    assertThat(flaky.calls).hasValue(1);
    assertThat(time.sleeps()).isEmpty();
    assertThat(events)
        .containsExactly(
            new RetryEvent.BudgetExhausted("quotes", 1, down),
            new RetryEvent.Failed("quotes", 1, down, Reason.BUDGET_EXHAUSTED));
  }

  @Test
  void aSharedExceptionInstanceCollectsTheBudgetRefusalOnlyOnce() {
    RetryBudget budget =
        RetryBudget.builder().ratio(0).minRetriesPerSecond(0).timeSource(time).build();
    Retry retry = retry().budget(budget).build();
    IOException shared = new IOException("constant");

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> retry.call(new Flaky(shared)::call)).isSameAs(shared);
    }

    assertThat(shared.getSuppressed()).hasSize(1);
  }

  @Test
  void budgetDenialOfARejectedResultReturnsTheResult() throws Exception {
    RetryBudget budget =
        RetryBudget.builder().ratio(0).minRetriesPerSecond(0).timeSource(time).build();
    Retry retry = listened(retry().budget(budget).retryOnResult("busy"::equals).build());

    assertThat(retry.call(() -> "busy")).isEqualTo("busy");

    assertThat(events)
        .containsExactly(
            new RetryEvent.BudgetExhausted("quotes", 1, null),
            new RetryEvent.Failed("quotes", 1, null, Reason.BUDGET_EXHAUSTED));
  }

  @Test
  void eachCallRecordsOneRequestAndEachRetryTakesOneToken() throws Exception {
    RetryBudget budget =
        RetryBudget.builder().ratio(0.5).minRetriesPerSecond(0).timeSource(time).build();
    Retry retry = retry().maxAttempts(2).budget(budget).build();

    for (int i = 0; i < 4; i++) {
      retry.call(() -> "ok");
    }
    assertThat(budget.available()).isEqualTo(2);

    retry.call(new Flaky(new IOException())::call); // request 5, retry 1: floor(2.5) - 1
    assertThat(budget.available()).isEqualTo(1);
  }

  @Test
  void aDeadlineCheckComesBeforeTheBudgetSoNoTokenIsWasted() {
    RetryBudget budget =
        RetryBudget.builder()
            .ratio(0)
            .minRetriesPerSecond(1)
            .window(ofSeconds(10))
            .timeSource(time)
            .build();
    Retry retry = retry().maxDuration(ofMillis(100)).budget(budget).build();

    assertThatThrownBy(() -> retry.call(new Flaky(new IOException())::call))
        .isInstanceOf(IOException.class);

    assertThat(budget.available()).isEqualTo(10);
  }

  @Test
  void interruptWhileWaitingStopsAndKeepsTheInterruptStatus() {
    Retry retry = listened(retry().maxAttempts(5).build());
    IOException down = new IOException("down");
    AtomicInteger calls = new AtomicInteger();

    try {
      Throwable thrown =
          catchThrowable(
              () ->
                  retry.call(
                      () -> {
                        calls.incrementAndGet();
                        Thread.currentThread().interrupt(); // e.g. a Timeout fired meanwhile
                        throw down;
                      }));

      assertThat(thrown).isSameAs(down);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(calls).hasValue(1);
    assertThat(time.sleeps()).isEmpty();
    assertThat(events.getLast())
        .isEqualTo(new RetryEvent.Failed("quotes", 1, down, Reason.INTERRUPTED));
  }

  @Test
  void failedFirstAttemptsRefillTheBudgetAsTheRefusalSays() {
    RetryBudget budget =
        RetryBudget.builder().ratio(0.5).minRetriesPerSecond(0).timeSource(time).build();
    Retry retry = retry().maxAttempts(2).budget(budget).build();
    IOException down = new IOException("down");

    // the first call is denied its retry; its failed first attempt still counts as a request
    assertThatThrownBy(() -> retry.call(new Flaky(down, down)::call)).isSameAs(down);
    assertThat(down.getSuppressed()[0])
        .hasMessageNotContaining("until more first attempts succeed")
        .hasMessageContaining("whether it succeeds or not");
    // a second failing call makes two requests: one retry is allowed though nothing succeeded
    Flaky flaky = new Flaky(new IOException("again"));
    assertThat(catchThrowable(() -> retry.call(flaky::call))).isNull();
    assertThat(flaky.calls).hasValue(2);
  }

  @Test
  void anInterruptedThreadSpendsNoBudgetTokenAndAnnouncesNoRetry() {
    RetryBudget budget =
        RetryBudget.builder()
            .ratio(0)
            .minRetriesPerSecond(1)
            .window(ofSeconds(10))
            .timeSource(time)
            .build();
    Retry retry = listened(retry().maxAttempts(5).budget(budget).build());
    IOException down = new IOException("down");

    try {
      Throwable thrown =
          catchThrowable(
              () ->
                  retry.call(
                      () -> {
                        Thread.currentThread().interrupt(); // e.g. a Timeout fired meanwhile
                        throw down;
                      }));

      assertThat(thrown).isSameAs(down);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(budget.available()).isEqualTo(10);
    assertThat(events)
        .containsExactly(new RetryEvent.Failed("quotes", 1, down, Reason.INTERRUPTED));
  }

  @Test
  void anInterruptDuringARealSleepStopsTheRetryAtOnce() {
    Retry retry = Retry.builder("real").backoff(fixed(ofSeconds(60))).build(); // system time
    CountDownLatch aboutToSleep = new CountDownLatch(1);
    retry.subscribe(
        e -> {
          if (e instanceof RetryEvent.Retrying) {
            aboutToSleep.countDown();
          }
        });
    IOException down = new IOException("down");
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();

    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          Thread caller =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        thrown.set(
                            catchThrowable(
                                () ->
                                    retry.call(
                                        () -> {
                                          throw down;
                                        })));
                        stillInterrupted.set(Thread.currentThread().isInterrupted());
                      });
          aboutToSleep.await();
          caller.interrupt();
          caller.join();
        });

    assertThat(thrown.get()).isSameAs(down);
    assertThat(stillInterrupted).isTrue();
  }

  @Test
  void asTheOuterPolicyOfAPipelineItRetriesAnInnerRefusalAfterItsRetryAfter() throws Exception {
    AtomicInteger admitted = new AtomicInteger();
    Policy gate =
        new Policy() {
          @Override
          public String name() {
            return "gate";
          }

          @Override
          public <T, X extends Exception> T call(Call<T, X> call) throws X {
            if (admitted.getAndIncrement() == 0) {
              throw new RetryTestRefusal(ofSeconds(3)); // like an open circuit
            }
            return call.call();
          }
        };
    Pipeline pipeline =
        Pipeline.of(
            retry().backoff(fixed(ofMillis(100))).maxRetryAfter(ofSeconds(3)).build(), gate);

    assertThat(pipeline.call(() -> "through")).isEqualTo("through");

    assertThat(admitted).hasValue(2);
    assertThat(time.sleeps()).containsExactly(ofSeconds(3));
  }

  @Test
  void aThrowingListenerDoesNotAffectTheCall() throws Exception {
    Retry retry = retry().build();
    retry.subscribe(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    retry.subscribe(events::add);

    assertThat(retry.call(new Flaky(new IOException())::call)).isEqualTo("ok");
    assertThat(events).hasSize(2);
  }

  @Test
  void aClosedSubscriptionReceivesNoMoreEvents() throws Exception {
    Retry retry = retry().build();
    var subscription = retry.subscribe(events::add);

    retry.call(() -> 1);
    subscription.close();
    retry.call(() -> 2);

    assertThat(events).hasSize(1);
  }

  @Test
  void configReportsWhatWasBuilt() {
    RetryBudget budget = RetryBudget.builder().build();
    Backoff backoff = fixed(ofMillis(10));
    Retry retry =
        retry()
            .maxAttempts(7)
            .maxDuration(ofSeconds(3))
            .backoff(backoff)
            .retryOn(IOException.class, TimeoutException.class)
            .budget(budget)
            .maxRetryAfter(ofSeconds(5))
            .build();

    assertThat(retry.name()).isEqualTo("quotes");
    assertThat(retry.config().maxAttempts()).isEqualTo(7);
    assertThat(retry.config().maxDuration()).isEqualTo(Optional.of(ofSeconds(3)));
    assertThat(retry.config().backoff()).isSameAs(backoff);
    assertThat(retry.config().retryOn()).containsExactly(IOException.class, TimeoutException.class);
    assertThat(retry.config().budget()).containsSame(budget);
    assertThat(retry.config().maxRetryAfter()).isEqualTo(ofSeconds(5));
    assertThat(retry.toString()).startsWith("Retry[quotes, ");
  }

  @Test
  void aFirstSuccessWithNoListenersAllocatesNothing() throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    RetryBudget budget = RetryBudget.builder().timeSource(time).build();
    Retry retry = retry().maxDuration(ofSeconds(1)).budget(budget).build();
    Call<Integer, IOException> call = () -> 7;
    for (int i = 0; i < 20_000; i++) {
      retry.call(call); // warm up, so that the measurement sees compiled code
    }

    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 10_000; i++) {
      retry.call(call);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    // a single allocation per call would be at least 160,000 bytes
    assertThat(allocated).isLessThan(10_000);
  }

  @Test
  void rejectsANullCall() {
    assertThatThrownBy(() -> retry().build().call(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("call");
  }

  static Backoff fixed(Duration d) {
    return Backoff.fixed(d).build();
  }
}
