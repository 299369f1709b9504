package dev.bulwark.http;

import java.io.Serial;

/**
 * What an authority's circuit breaker records when a response is classified as a failure (a 503,
 * say): a breaker records failures as exceptions, and a response is not one. It is never thrown to
 * a caller, who gets the response itself; it matters only to a breaker built with {@code
 * recordOn(...)} or {@code ignore(...)} rules, which can name this type.
 */
public final class FailedResponseException extends Exception {

  @Serial private static final long serialVersionUID = 1L;

  private final int statusCode;

  /**
   * Creates the record of one failed response.
   *
   * @param statusCode the response's status
   */
  public FailedResponseException(int statusCode) {
    super("status " + statusCode, null, false, false);
    this.statusCode = statusCode;
  }

  /**
   * Returns the status of the failed response.
   *
   * @return the HTTP status code
   */
  public int statusCode() {
    return statusCode;
  }
}
