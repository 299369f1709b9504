/**
 * Retrying failed calls: {@link dev.bulwark.resilience.retry.Retry}, its events ({@link
 * dev.bulwark.resilience.retry.RetryEvent}) and the {@link
 * dev.bulwark.resilience.retry.RetryBudget} that bounds retries to a share of the traffic.
 *
 * <p>A {@code Retry} runs a call up to {@code maxAttempts} times, waiting between attempts as its
 * {@link dev.bulwark.resilience.backoff.Backoff} says, and never waits past its deadline: the
 * earlier of its own {@code maxDuration} and the {@link dev.bulwark.resilience.timeout.Deadline} of
 * an enclosing {@code Timeout}. It honours the {@code retryAfter()} of an inner policy's refusal,
 * and it rethrows the last failure unchanged.
 *
 * <p>A {@code RetryBudget} is shared by the retries (and hedges) that call one dependency, so that
 * when the dependency fails for everyone, the retries cannot multiply its load: at most a share of
 * the requests plus a small floor per second are retried. A retry that the budget denies ends with
 * the call's last failure, which carries a {@link
 * dev.bulwark.resilience.retry.RetryBudgetExhaustedException} as a suppressed exception.
 *
 * <pre>{@code
 * RetryBudget budget = RetryBudget.builder().ratio(0.1).build();
 * Retry retry = Retry.builder("quotes")
 *     .maxAttempts(4)
 *     .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2))
 *         .jitter(Jitter.full()).build())
 *     .retryOn(IOException.class)
 *     .budget(budget)
 *     .build();
 * }</pre>
 */
package dev.bulwark.resilience.retry;
