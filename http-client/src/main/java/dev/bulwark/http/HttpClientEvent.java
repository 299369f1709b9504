package dev.bulwark.http;

import dev.bulwark.resilience.RejectedException;
import java.net.URI;
import java.time.Duration;

/**
 * What a {@link ResilientHttpClient} reports to its listeners, one event per step a call takes, so
 * that a metrics binding or a log sees every attempt.
 *
 * <p>A call publishes an {@link AttemptStarted} for each attempt; between attempts a {@link
 * Retrying}; a {@link RetryAfterAdjusted} when a server's {@code Retry-After} could not be honoured
 * as sent; a {@link Hedged} for each extra attempt a hedge starts; a {@link Refused} when one of
 * the client's own policies refuses an attempt; and, when the client stops retrying without a good
 * response, a {@link GaveUp} saying why. Listeners run on the caller's thread (a {@code Hedged} on
 * the hedge's), outside any lock.
 */
public sealed interface HttpClientEvent {

  /**
   * Returns the name of the client that published the event.
   *
   * @return the client's name
   */
  String clientName();

  /**
   * Returns the authority the call went to: scheme, host and port, e.g. {@code
   * https://api.example.com:443}. Breakers, bulkheads and limits are kept per authority.
   *
   * @return the authority
   */
  String authority();

  /**
   * An attempt starts.
   *
   * @param clientName the client's name
   * @param authority the request's authority
   * @param method the request's method
   * @param uri the request's URI
   * @param attempt the attempt, from 1
   */
  record AttemptStarted(String clientName, String authority, String method, URI uri, int attempt)
      implements HttpClientEvent {}

  /**
   * An attempt failed transiently (or was refused) and the client waits {@code delay}, then tries
   * again.
   *
   * @param clientName the client's name
   * @param authority the request's authority
   * @param attempt the attempt that failed, from 1
   * @param delay the wait before the next attempt
   * @param reason why: {@code "status 503"}, the failure's type and message, or the refusal's
   *     message
   */
  record Retrying(String clientName, String authority, int attempt, Duration delay, String reason)
      implements HttpClientEvent {}

  /**
   * A response carried a {@code Retry-After} that the client did not honour as sent.
   *
   * @param clientName the client's name
   * @param authority the request's authority
   * @param value the header's value, as received
   * @param adjustment what was wrong and what the client did
   * @param applied the wait the header contributes after the adjustment; zero if it was ignored
   */
  record RetryAfterAdjusted(
      String clientName, String authority, String value, Adjustment adjustment, Duration applied)
      implements HttpClientEvent {

    /** What was wrong with a {@code Retry-After} header, and what the client did about it. */
    public enum Adjustment {
      /** Neither delta-seconds nor an HTTP date: ignored, the backoff alone decides the wait. */
      IGNORED_MALFORMED,
      /** A negative number of seconds: ignored, the backoff alone decides the wait. */
      IGNORED_NEGATIVE,
      /** Longer than the client's {@code maxRetryAfter} (or too large to represent): capped. */
      CAPPED
    }
  }

  /**
   * A hedge started an extra attempt because the first had not answered in time.
   *
   * @param clientName the client's name
   * @param authority the request's authority
   * @param attempt the hedged attempt's number within this try, from 2
   * @param elapsed how long after the first attempt started
   */
  record Hedged(String clientName, String authority, int attempt, Duration elapsed)
      implements HttpClientEvent {}

  /**
   * One of the client's own policies (the authority's breaker, bulkhead or rate limit) refused an
   * attempt; the request was not sent.
   *
   * @param clientName the client's name
   * @param authority the request's authority
   * @param attempt the refused attempt, from 1
   * @param refusal the refusal, with its policy's name and {@code retryAfter()}
   */
  record Refused(String clientName, String authority, int attempt, RejectedException refusal)
      implements HttpClientEvent {}

  /**
   * The client stopped without a good response: it returns the last response or throws the last
   * failure.
   *
   * @param clientName the client's name
   * @param authority the request's authority
   * @param attempts how many attempts were made
   * @param reason why it stopped
   * @param status the last response's status, or -1 if the last attempt threw
   */
  record GaveUp(String clientName, String authority, int attempts, Reason reason, int status)
      implements HttpClientEvent {

    /** Why the client stopped retrying. */
    public enum Reason {
      /** The classifier said the outcome is not worth retrying. */
      NOT_RETRYABLE,
      /** The method is not idempotent (POST, PATCH) and the request was not marked so. */
      NOT_IDEMPOTENT,
      /** The request's body cannot be sent again. */
      BODY_NOT_REPLAYABLE,
      /** All {@code maxAttempts} attempts were made. */
      ATTEMPTS_EXHAUSTED,
      /** The next attempt could not start before the total timeout. */
      DEADLINE
    }
  }
}
