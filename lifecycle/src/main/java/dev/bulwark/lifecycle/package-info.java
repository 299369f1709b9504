/**
 * Long-lived work beside a service's requests: {@link dev.bulwark.lifecycle.Worker workers}, {@link
 * dev.bulwark.lifecycle.PeriodicTask periodic tasks}, {@link dev.bulwark.lifecycle.ManagedResource
 * managed resources} and a background {@link dev.bulwark.lifecycle.JobQueue job queue}, run by a
 * {@link dev.bulwark.lifecycle.Supervisor} that starts them in order, restarts failed workers with
 * backoff, reports their {@linkplain dev.bulwark.lifecycle.Supervisor#health() health}, and stops
 * everything gracefully within one budget, returning a {@link dev.bulwark.lifecycle.ShutdownReport}
 * that says what it could not stop and which jobs did not finish.
 *
 * <p>Threads are virtual unless a {@link java.util.concurrent.ThreadFactory} is given; every read
 * of time and every timed wait goes through {@link dev.bulwark.resilience.TimeSource}, so
 * schedules, backoffs, grace periods and stall limits can be tested in virtual time with {@link
 * dev.bulwark.resilience.ManualTimeSource}.
 */
package dev.bulwark.lifecycle;
