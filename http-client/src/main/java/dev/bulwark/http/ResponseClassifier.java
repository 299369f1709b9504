package dev.bulwark.http;

import dev.bulwark.resilience.timeout.TimeoutExceededException;
import java.io.IOException;
import java.net.http.HttpResponse;

/**
 * Decides what a response or a failure of one attempt means: whether the attempt is retried and
 * what the host's circuit breaker records. Replace it on the builder with {@link
 * ResilientHttpClient.Builder#classifier(ResponseClassifier)}; delegate to {@link #standard()} for
 * the cases you do not change:
 *
 * <pre>{@code
 * ResponseClassifier mine = new ResponseClassifier() {
 *   public Outcome classify(HttpResponse.ResponseInfo response) {
 *     return response.statusCode() == 409 ? Outcome.TRANSIENT : standard().classify(response);
 *   }
 * };
 * }</pre>
 *
 * <p>It is called on the HTTP client's threads, as soon as a response's status and headers have
 * arrived (before its body is read, so that the body of a response that will be retried is
 * discarded rather than handed to the caller's body handler); it must be quick and must not throw.
 */
public interface ResponseClassifier {

  /** What an attempt's response or failure means. */
  enum Outcome {
    /** The host did its job (2xx, 3xx, most 4xx): not retried; the breaker records a success. */
    SUCCESS,
    /**
     * The host failed in a way that may pass (5xx, 408, 429, I/O errors, an attempt timeout):
     * retried when the request is safe to repeat; the breaker records a failure.
     */
    TRANSIENT,
    /**
     * The host failed in a way a retry will not fix: not retried; the breaker records a failure.
     */
    FAILURE,
    /**
     * Says nothing about the host (a bug in the caller): not retried; the breaker records nothing.
     */
    NOT_COUNTED
  }

  /**
   * Classifies a response by its status line and headers.
   *
   * @param response the response's status, headers and version; its body is not yet read
   * @return what the response means
   */
  Outcome classify(HttpResponse.ResponseInfo response);

  /**
   * Classifies an attempt that ended without a response. The standard answer: an {@link
   * IOException} (connection refused or reset, the JDK's own {@code HttpTimeoutException}) or an
   * attempt timeout ({@link TimeoutExceededException}) is {@link Outcome#TRANSIENT}; anything else
   * (an {@code IllegalArgumentException} of a bad request, say) is {@link Outcome#NOT_COUNTED}.
   * Refusals of the client's own breaker, bulkhead and rate limiter are never passed here.
   *
   * @param failure what the attempt threw
   * @return what the failure means
   */
  default Outcome classify(Throwable failure) {
    return failure instanceof IOException || failure instanceof TimeoutExceededException
        ? Outcome.TRANSIENT
        : Outcome.NOT_COUNTED;
  }

  /**
   * Returns the standard classification: 5xx, 408 (Request Timeout) and 429 (Too Many Requests) are
   * {@link Outcome#TRANSIENT}, every other status is {@link Outcome#SUCCESS} (a 404 or 400 is the
   * caller's problem, not the host's: it must neither be retried nor open the host's breaker);
   * failures as {@link #classify(Throwable)} says.
   *
   * @return the standard classifier, a singleton
   */
  static ResponseClassifier standard() {
    return StandardClassifier.INSTANCE;
  }
}

/** The classification of {@link ResponseClassifier#standard()}. */
enum StandardClassifier implements ResponseClassifier {
  INSTANCE;

  @Override
  public Outcome classify(HttpResponse.ResponseInfo response) {
    int status = response.statusCode();
    return status >= 500 || status == 408 || status == 429 ? Outcome.TRANSIENT : Outcome.SUCCESS;
  }

  @Override
  public String toString() {
    return "ResponseClassifier.standard()";
  }
}
