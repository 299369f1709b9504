/**
 * Hedged requests for idempotent calls: {@link dev.bulwark.resilience.hedge.Hedge} starts another
 * attempt when the first is slow and takes whichever succeeds first ("The Tail at Scale", Dean and
 * Barroso, 2013).
 */
package dev.bulwark.resilience.hedge;
