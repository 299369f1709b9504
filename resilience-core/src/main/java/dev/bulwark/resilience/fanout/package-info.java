/**
 * Many calls at once under one deadline: {@link dev.bulwark.resilience.fanout.FanOut} runs them
 * concurrently, at most N at a time, and returns each one's {@link
 * dev.bulwark.resilience.fanout.Outcome} in order, interrupting those that have not finished by the
 * deadline.
 */
package dev.bulwark.resilience.fanout;
