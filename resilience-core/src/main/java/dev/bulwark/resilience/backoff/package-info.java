/** Delays between attempts: {@link dev.bulwark.resilience.backoff.Backoff} and its jitter. */
package dev.bulwark.resilience.backoff;
