package dev.bulwark.http;

import dev.bulwark.http.HttpClientEvent.GaveUp;
import dev.bulwark.http.ResponseClassifier.Outcome;
import dev.bulwark.http.internal.Requests;
import dev.bulwark.http.internal.RetryAfter;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.timeout.Deadline;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One call of {@link ResilientHttpClient#send}: the retry loop, run inside the total timeout, and
 * each attempt through the authority's policies.
 *
 * <p><b>Why the retry decision is made in the body handler.</b> Whether a response is retried
 * decides what happens to its body: a retried response's body must be discarded (read and dropped,
 * so its connection returns to the pool) and never reach the caller's handler, while a response
 * that is returned must be read by the caller's handler. The JDK client asks for a body subscriber
 * once the status and headers are known, so the whole decision — classification, attempts left,
 * {@code Retry-After}, the deadline — is taken there, by a {@link Verdict} that was prepared on the
 * caller's thread with everything that does not depend on the response (the attempt's backoff delay
 * was drawn already, the deadline captured). The caller's thread then publishes the events and
 * waits.
 */
final class Exchange<T> {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.http");

  private final ResilientHttpClient client;
  private final ResilientHttpClient.Config config;
  private final HttpRequest request;
  private final HttpResponse.BodyHandler<T> handler;
  private final String authority;

  /** Null if the request may be repeated, else why not. */
  private final GaveUp.Reason unsafe;

  Exchange(ResilientHttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    this.client = client;
    this.config = client.config();
    this.request = request;
    this.handler = handler;
    this.authority = Requests.authority(request.uri());
    if (!Requests.isIdempotent(request) && !config.idempotentIf().test(request)) {
      this.unsafe = GaveUp.Reason.NOT_IDEMPOTENT;
    } else if (!Requests.hasReplayableBody(request)) {
      this.unsafe = GaveUp.Reason.BODY_NOT_REPLAYABLE;
    } else {
      this.unsafe = null;
    }
  }

  /** The retry loop; runs inside the total timeout, whose deadline is current. */
  HttpResponse<T> run() throws IOException, InterruptedException {
    Backoff.Sequence delays = config.backoff().sequence();
    Deadline deadline = Deadline.current().orElse(null);
    for (int n = 1; ; n++) {
      final int attempt = n;
      long backoffNanos = delays.nextNanos();
      GaveUp.Reason noRetry =
          attempt >= config.maxAttempts() ? GaveUp.Reason.ATTEMPTS_EXHAUSTED : null;
      publish(
          () ->
              new HttpClientEvent.AttemptStarted(
                  client.name(), authority, request.method(), request.uri(), attempt));
      Sent<T> sent;
      try {
        sent =
            attempt(new Verdict(config, unsafe != null ? unsafe : noRetry, backoffNanos, deadline));
      } catch (RejectedException refusal) {
        // Never sent: repeating it is safe whatever the method.
        publish(() -> new HttpClientEvent.Refused(client.name(), authority, attempt, refusal));
        long wait = Math.max(backoffNanos, refusal.retryAfter().map(Exchange::nanos).orElse(0L));
        GaveUp.Reason stop = noRetry != null ? noRetry : fits(wait, deadline);
        if (stop != null) {
          gaveUp(attempt, stop, -1);
          throw refusal;
        }
        waitToRetry(attempt, wait, refusal.getMessage());
        continue;
      } catch (IOException | RuntimeException failure) {
        Outcome outcome = config.classifier().classify(failure);
        GaveUp.Reason stop =
            outcome != Outcome.TRANSIENT
                ? GaveUp.Reason.NOT_RETRYABLE
                : unsafe != null
                    ? unsafe
                    : noRetry != null ? noRetry : fits(backoffNanos, deadline);
        if (stop != null) {
          gaveUp(attempt, stop, -1);
          throw rethrow(asTimeout(failure));
        }
        waitToRetry(attempt, backoffNanos, describe(failure));
        continue;
      }
      Verdict verdict = sent.verdict();
      if (verdict.retryAfter != null && verdict.retryAfter.status() != RetryAfter.Status.OK) {
        publish(() -> retryAfterAdjusted(verdict));
      }
      if (verdict.retry) {
        waitToRetry(attempt, verdict.delayNanos, "status " + verdict.status);
        continue;
      }
      if (verdict.outcome == Outcome.TRANSIENT || verdict.outcome == Outcome.FAILURE) {
        gaveUp(
            attempt,
            verdict.outcome == Outcome.FAILURE ? GaveUp.Reason.NOT_RETRYABLE : verdict.stop,
            verdict.status);
      }
      return sent.response();
    }
  }

  /** One attempt: the authority's breaker, the attempt timeout, then hedge or a single send. */
  private Sent<T> attempt(Verdict verdict) throws IOException, InterruptedException {
    ResilientHttpClient.AuthorityPolicies policies = client.authorities.get(authority);
    Permit permit = policies.breaker().acquirePermit();
    Sent<T> sent;
    try {
      sent = client.attemptTimeout.call(() -> dispatch(policies, verdict));
    } catch (RejectedException refusal) {
      permit.close(); // an inner bulkhead or limit refused: nothing was sent
      throw refusal;
    } catch (InterruptedException interrupted) {
      permit.close(); // the caller gave up; says nothing about the host
      throw interrupted;
    } catch (Exception failure) {
      record(permit, config.classifier().classify(failure), failure);
      throw rethrow(failure);
    } catch (Error error) {
      permit.close();
      throw error;
    }
    Outcome outcome = sent.verdict().outcome;
    record(
        permit,
        outcome,
        outcome == Outcome.SUCCESS ? null : new FailedResponseException(sent.verdict().status));
    return sent;
  }

  private static void record(Permit permit, Outcome outcome, Throwable failure) {
    switch (outcome) {
      case SUCCESS -> permit.onSuccess();
      case TRANSIENT, FAILURE -> permit.onFailure(failure);
      case NOT_COUNTED -> permit.close();
    }
  }

  /** Hedged for requests safe to repeat when the authority has a hedge; else one send. */
  private Sent<T> dispatch(ResilientHttpClient.AuthorityPolicies policies, Verdict template)
      throws IOException, InterruptedException {
    if (policies.hedge() == null || unsafe != null) {
      return limitedSend(policies, template);
    }
    LateBodies late = new LateBodies();
    Sent<T> winner;
    try {
      winner = policies.hedge().call(() -> late.offer(limitedSend(policies, template.fresh())));
    } catch (Exception failure) {
      throw rethrow(failure);
    }
    late.seal(winner);
    return winner;
  }

  /** The bulkhead and rate limit of the authority, if set, around the JDK client's send. */
  private Sent<T> limitedSend(ResilientHttpClient.AuthorityPolicies policies, Verdict verdict)
      throws IOException, InterruptedException {
    if (client.rateLimiter != null) {
      client.rateLimiter.acquire(authority, 1, client.rateLimiter.config().maxWait());
    }
    if (policies.bulkhead() == null) {
      return send(verdict);
    }
    try (Permit permit = policies.bulkhead().acquirePermit()) {
      Sent<T> sent = send(verdict);
      permit.onSuccess();
      return sent;
    }
  }

  private Sent<T> send(Verdict verdict) throws IOException, InterruptedException {
    HttpResponse<T> response =
        client.http.send(
            request,
            info ->
                verdict.decide(info)
                    ? HttpResponse.BodySubscribers.replacing(null) // read and dropped
                    : handler.apply(info));
    return new Sent<>(response, verdict);
  }

  /** Null if a wait of {@code nanos} ends before the deadline, else {@code DEADLINE}. */
  private static GaveUp.Reason fits(long nanos, Deadline deadline) {
    return deadline == null || nanos < deadline.remainingNanos() ? null : GaveUp.Reason.DEADLINE;
  }

  private void waitToRetry(int attempt, long nanos, String reason) throws InterruptedException {
    Duration delay = Duration.ofNanos(nanos);
    publish(() -> new HttpClientEvent.Retrying(client.name(), authority, attempt, delay, reason));
    config.timeSource().sleep(delay);
  }

  private void gaveUp(int attempts, GaveUp.Reason reason, int status) {
    publish(() -> new GaveUp(client.name(), authority, attempts, reason, status));
  }

  private HttpClientEvent retryAfterAdjusted(Verdict verdict) {
    HttpClientEvent.RetryAfterAdjusted.Adjustment adjustment =
        switch (verdict.retryAfter.status()) {
          case MALFORMED -> HttpClientEvent.RetryAfterAdjusted.Adjustment.IGNORED_MALFORMED;
          case NEGATIVE -> HttpClientEvent.RetryAfterAdjusted.Adjustment.IGNORED_NEGATIVE;
          case CAPPED, OK -> HttpClientEvent.RetryAfterAdjusted.Adjustment.CAPPED;
        };
    return new HttpClientEvent.RetryAfterAdjusted(
        client.name(), authority, verdict.retryAfterValue, adjustment, verdict.retryAfter.delay());
  }

  private void publish(java.util.function.Supplier<HttpClientEvent> event) {
    if (!client.listeners.isEmpty()) {
      client.listeners.publish(event.get());
    }
  }

  /** An attempt timeout that ends the call is reported as the JDK client reports its own. */
  private Exception asTimeout(Exception failure) {
    if (failure instanceof TimeoutExceededException timedOut) {
      HttpTimeoutException e =
          new HttpTimeoutException(
              request.method()
                  + " "
                  + request.uri()
                  + " timed out: no response within the attempt timeout of "
                  + config.attemptTimeout());
      e.initCause(timedOut);
      return e;
    }
    return failure;
  }

  private static String describe(Throwable failure) {
    return failure.getMessage() == null
        ? failure.getClass().getName()
        : failure.getClass().getName() + ": " + failure.getMessage();
  }

  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Throws {@code failure} as the checked exceptions {@code send} declares. The calls that reach
   * here throw only those and unchecked ones; anything else would be a bug of this class.
   */
  static IOException rethrow(Exception failure) throws InterruptedException {
    if (failure instanceof IOException io) {
      return io;
    }
    if (failure instanceof InterruptedException interrupted) {
      throw interrupted;
    }
    if (failure instanceof RuntimeException unchecked) {
      throw unchecked;
    }
    throw new IllegalStateException("undeclared checked exception from an attempt", failure);
  }

  /** A response and the verdict taken on it. */
  private record Sent<T>(HttpResponse<T> response, Verdict verdict) {}

  /**
   * The decision about one response, taken on the HTTP client's thread by {@link #decide}. The
   * fields it writes are read by the caller's thread after {@code send} returned, which the JDK
   * client's completion orders after the handler's call.
   */
  private static final class Verdict {
    private final ResilientHttpClient.Config config;
    private final GaveUp.Reason noRetry; // null: a retry is allowed if the response wants one
    private final long backoffNanos;
    private final Deadline deadline;
    volatile int status;
    volatile Outcome outcome;
    volatile boolean retry;
    volatile long delayNanos;
    volatile GaveUp.Reason stop;
    volatile RetryAfter.Reading retryAfter;
    volatile String retryAfterValue;

    Verdict(
        ResilientHttpClient.Config config,
        GaveUp.Reason noRetry,
        long backoffNanos,
        Deadline deadline) {
      this.config = config;
      this.noRetry = noRetry;
      this.backoffNanos = backoffNanos;
      this.deadline = deadline;
    }

    /** A verdict with the same inputs, for another attempt of a hedge. */
    Verdict fresh() {
      return new Verdict(config, noRetry, backoffNanos, deadline);
    }

    /** Classifies the response and decides whether it is retried; true if so. */
    boolean decide(HttpResponse.ResponseInfo info) {
      status = info.statusCode();
      outcome = config.classifier().classify(info);
      if (outcome != Outcome.TRANSIENT) {
        return false;
      }
      long wait = backoffNanos;
      String header = info.headers().firstValue("Retry-After").orElse(null);
      if (header != null) {
        RetryAfter.Reading reading =
            RetryAfter.read(
                header,
                info.headers().firstValue("Date"),
                config.clock().instant(),
                config.maxRetryAfter());
        retryAfterValue = header;
        retryAfter = reading;
        wait = Math.max(wait, nanos(reading.delay()));
      }
      if (noRetry != null) {
        stop = noRetry;
        return false;
      }
      GaveUp.Reason late = fits(wait, deadline);
      if (late != null) {
        stop = late;
        return false;
      }
      delayNanos = wait;
      retry = true;
      return true;
    }
  }

  /**
   * The responses of a hedge's attempts. The hedge drops the losers' results; a loser whose body is
   * a resource (an input stream, a stream of lines) must still be closed, or its connection leaks.
   * Responses offered after the winner is known are closed at once.
   */
  private static final class LateBodies {
    private final ReentrantLock lock = new ReentrantLock();
    private final List<HttpResponse<?>> offered = new ArrayList<>(2);
    private Object winner; // guarded by lock; set once the hedge has decided

    <S> Sent<S> offer(Sent<S> sent) {
      boolean decided;
      lock.lock();
      try {
        decided = winner != null;
        if (!decided) {
          offered.add(sent.response());
        }
      } finally {
        lock.unlock();
      }
      if (decided && winner != sent) {
        close(sent.response());
      }
      return sent;
    }

    void seal(Sent<?> won) {
      List<HttpResponse<?>> losers = new ArrayList<>(2);
      lock.lock();
      try {
        winner = won;
        for (HttpResponse<?> r : offered) {
          if (r != won.response()) {
            losers.add(r);
          }
        }
      } finally {
        lock.unlock();
      }
      losers.forEach(LateBodies::close);
    }

    private static void close(HttpResponse<?> response) {
      if (response.body() instanceof AutoCloseable body) {
        try {
          body.close();
        } catch (Exception e) {
          LOG.log(Level.DEBUG, "closing the body of a hedge's losing response failed", e);
        }
      }
    }
  }
}
