/**
 * A resilient HTTP client: the JDK's {@link java.net.http.HttpClient} behind a total timeout, a
 * retry that honours {@code Retry-After}, a circuit breaker per authority, an attempt timeout and
 * optional hedging, bulkhead and rate limit per authority. Start at {@link
 * dev.bulwark.http.ResilientHttpClient}; its defaults are in one table there and in the module's
 * README.
 */
package dev.bulwark.http;
