/**
 * Bulwark's call policies and the model they share: {@link dev.bulwark.resilience.Policy}, {@link
 * dev.bulwark.resilience.Pipeline}, {@link dev.bulwark.resilience.TimeSource} and {@link
 * dev.bulwark.resilience.RejectedException}. Each policy lives in a sub-package of its own.
 */
package dev.bulwark.resilience;
