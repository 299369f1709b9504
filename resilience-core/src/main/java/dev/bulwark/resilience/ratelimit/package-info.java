/**
 * Rate limiters: {@link dev.bulwark.resilience.ratelimit.RateLimiter}, a token bucket, and {@link
 * dev.bulwark.resilience.ratelimit.KeyedRateLimiter}, one bucket per key in bounded memory, with
 * their refusal {@link dev.bulwark.resilience.ratelimit.RateLimitedException}, their events and the
 * {@link dev.bulwark.resilience.ratelimit.RateLimiterStore} seam for a shared store.
 *
 * <h2>How is this designed, and why?</h2>
 *
 * <p><b>A token bucket kept as one timestamp (GCRA).</b> The bucket holds up to {@code burst}
 * permits and refills at {@code permits / period}. Rather than a token count and a last-refill time
 * (two values, so a lock or an allocated snapshot per update), the bucket is kept the way the
 * Generic Cell Rate Algorithm of ATM networks keeps it: as a single instant {@code F}, the
 * "theoretical arrival time" at which the bucket will be full again. With {@code T = period /
 * permits} the cost of one permit and {@code τ = burst · T} the whole bucket, at time {@code now}
 * the bucket owes {@code debt = max(0, F − now)} and holds {@code (τ − debt) / T} permits. Taking
 * {@code n} permits moves {@code F} to {@code now + debt + n·T}; they are ready once the debt fits
 * the bucket, after {@code wait = debt + n·T − τ} (at once if that is zero or less). Refill is
 * never performed: it is the passing of {@code now}. One {@code long} is the whole state, so a
 * decision is one read of the time source and one compare-and-set on an {@code AtomicLong} — no
 * lock, no allocation — and it is the shape a distributed store wants too (one atomic
 * read-modify-write per decision; see {@link dev.bulwark.resilience.ratelimit.RateLimiterStore}).
 *
 * <p><b>Exact arithmetic.</b> {@code T} is rarely a whole number of nanoseconds (3 per second is
 * 333,333,333⅓ ns). Rounding it drifts: rounded up, a caller arriving exactly at the rate is
 * eventually refused; rounded down, the limiter slowly exceeds its rate. So time is counted in
 * units of {@code 1/q} ns, where {@code T = a/q} in lowest terms; a permit then costs exactly
 * {@code a} units. For the usual rates (100 per second, 1,000 per minute) {@code q = 1}. All
 * comparisons are by subtraction, so wrap-around is harmless. A debt above 2<sup>62</sup> units
 * cannot have been stored (waits are capped below it), so it is read as a value from long ago whose
 * difference wrapped round: a full bucket. The one blind spot: 64 bits of {@code 1/q} ns wrap after
 * 2<sup>64</sup>/q ns (584 years at {@code q = 1}, 5.1 hours at the rare {@code q = 1,000,000},
 * e.g. 999,999 per second), and a bucket left untouched for the last quarter of such a cycle (3.8
 * to 5.1 hours in that example) reads as owing up to a quarter cycle instead of full. A keyed
 * limiter drops idle buckets long before; a single limiter with such a rate should not sit idle
 * that long.
 *
 * <p><b>Refuse at once, with an exact retry-after.</b> The wait is known before anyone waits. A
 * caller whose permits will be ready within its max wait reserves them (moves {@code F}) and then
 * sleeps through the time source for exactly that wait, so concurrent waiters queue behind one
 * another and never oversubscribe, as in Guava's {@code SmoothRateLimiter}. A caller whose permits
 * would come too late is refused before it waits at all, with {@code retryAfter = ⌈wait / q⌉} ns:
 * asking exactly that much later succeeds, one nanosecond earlier fails. This fixes the behaviour
 * of resilience4j's {@code AtomicRateLimiter}, which parks such a caller for its whole timeout
 * before failing.
 *
 * <p>Waits are whole nanoseconds, so a waiter goes ahead up to a nanosecond after its exact ready
 * time; it is accounted as arriving at the instant it really goes ahead ({@code F = max(now + debt,
 * g) + n·T}), so the permits granted conform to the rate at the times they are really granted, not
 * only on paper.
 *
 * <p><b>Interrupted waiters give their reservation back.</b> A waiter interrupted before its ready
 * time subtracts its permits' cost from {@code F}. Until the ready time {@code F} stays above
 * {@code now}, so every later update added its own cost to {@code F} unchanged, and removing ours
 * leaves what {@code F} would be had we never asked (less, at most, the sub-nanosecond rounding of
 * our ready time, which errs on the side of fewer permits). Permits whose ready time has passed are
 * used up.
 *
 * <p><b>Keys in bounded memory.</b> A {@code KeyedRateLimiter} keeps a bucket per key in a
 * concurrent map of at most {@code maxKeys} entries. A bucket that is full carries no information
 * (a new one would be full too), so it is the first to go: buckets are dropped once full and idle,
 * and at the bound the fullest go first. How the bound holds at every instant and why dropping
 * cannot lose a racing update is written atop the in-memory store.
 */
package dev.bulwark.resilience.ratelimit;
