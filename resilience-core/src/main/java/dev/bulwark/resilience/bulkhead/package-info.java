/**
 * Bulkheads: {@link dev.bulwark.resilience.bulkhead.Bulkhead} bounds the calls in flight to one
 * dependency with a fixed limit, {@link dev.bulwark.resilience.bulkhead.AdaptiveBulkhead} moves the
 * limit with the dependency's latency and drops, by a {@link
 * dev.bulwark.resilience.bulkhead.LimitAlgorithm} (capacity, the default; AIMD; gradient).
 *
 * <p><b>Design.</b> Enforcement and adaptation are separate, as in Netflix's concurrency-limits.
 * Both bulkheads enforce their limit with the same package-private gate: one atomic word holding
 * the permits in flight, the limit and whether threads are queued, so that the common path (a free
 * permit, nobody queued) is a compare-and-set to take the permit and one to return it, with no lock
 * and no allocation, while a fair FIFO queue (one condition per waiter, woken in arrival order,
 * waits through the {@link dev.bulwark.resilience.TimeSource} so virtual-time tests work) serves
 * the calls that wait; a newcomer cannot barge ahead of a queued thread because queueing closes the
 * fast path in the same word. Every way out of a call or a wait (a result, an exception, a timeout
 * in the queue, an interrupt, a permit closed twice) returns exactly one permit.
 *
 * <p>Adaptation is a {@link dev.bulwark.resilience.bulkhead.LimitAlgorithm.Limit}: a pure state
 * machine fed one sample per finished call ({@code onSample(start, rtt, inflight, dropped)}), which
 * reads no clock and is tested with plain sample sequences; the adaptive bulkhead measures the
 * samples with its time source and moves the gate's limit in the same atomic step that returns the
 * finished call's permit. The algorithms' comments say where they follow their sources (TCP Vegas
 * and Envoy's adaptive concurrency filter; Netflix's AIMDLimit and Gradient2Limit) and where, and
 * why, they differ.
 */
package dev.bulwark.resilience.bulkhead;
