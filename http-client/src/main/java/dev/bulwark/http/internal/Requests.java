package dev.bulwark.http.internal;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Locale;
import java.util.Set;

/** What the client needs to know about a request: its authority, and whether it may be repeated. */
public final class Requests {

  /** The methods RFC 9110 §9.2.2 defines as idempotent. */
  private static final Set<String> IDEMPOTENT_METHODS =
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

  /**
   * The JDK's body publishers that send the same bytes on every subscription: no body, a string, a
   * byte array, a file. Any other publisher ({@code ofInputStream}, {@code fromPublisher}, {@code
   * ofByteArrays} over a one-shot iterable, a user's own) may not, so a request with one is sent
   * once only.
   */
  private static final Set<String> REPLAYABLE_PUBLISHERS =
      Set.of(
          "jdk.internal.net.http.RequestPublishers$EmptyPublisher",
          "jdk.internal.net.http.RequestPublishers$StringPublisher",
          "jdk.internal.net.http.RequestPublishers$ByteArrayPublisher",
          "jdk.internal.net.http.RequestPublishers$FilePublisher");

  private Requests() {}

  /**
   * Returns the authority of {@code uri} as the client keys its state: scheme, lower-case host and
   * port (the scheme's default when absent), e.g. {@code https://api.example.com:443}.
   *
   * @param uri an absolute http or https URI
   * @return the authority key
   */
  public static String authority(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equals(scheme) ? 443 : 80;
    }
    return scheme + "://" + host + ":" + port;
  }

  /**
   * Returns true if the method is idempotent by RFC 9110 or the request carries an {@code
   * Idempotency-Key} header (the IETF draft that lets a POST or PATCH be repeated safely).
   *
   * @param request the request
   * @return whether repeating it is safe
   */
  public static boolean isIdempotent(HttpRequest request) {
    return IDEMPOTENT_METHODS.contains(request.method())
        || request.headers().firstValue("Idempotency-Key").isPresent();
  }

  /**
   * Returns true if the request has no body or a body publisher known to send the same bytes each
   * time.
   *
   * @param request the request
   * @return whether its body can be sent again
   */
  public static boolean hasReplayableBody(HttpRequest request) {
    return request
        .bodyPublisher()
        .map(p -> REPLAYABLE_PUBLISHERS.contains(p.getClass().getName()))
        .orElse(true);
  }
}
