/**
 * The HTTP client's implementation details: parsing of {@code Retry-After}, the table of
 * per-authority state, request inspection. Not an API; may change at any time.
 */
package dev.bulwark.http.internal;
