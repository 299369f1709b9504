/**
 * Deadlines for calls: {@link dev.bulwark.resilience.timeout.Timeout} interrupts a call that runs
 * past its deadline and throws {@link dev.bulwark.resilience.timeout.TimeoutExceededException};
 * {@link dev.bulwark.resilience.timeout.Deadline#current()} lets the code inside a call see how
 * much time it has left, so that nested waits (retries, queue polls, socket timeouts) stay within
 * it.
 */
package dev.bulwark.resilience.timeout;
