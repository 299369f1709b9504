/**
 * Values to return when a call fails: {@link dev.bulwark.resilience.fallback.Fallback}, typed by
 * the call's result, wraps a call (and the policies around it) as its outermost step.
 */
package dev.bulwark.resilience.fallback;
