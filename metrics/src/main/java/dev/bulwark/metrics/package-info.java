/**
 * Micrometer meters for Bulwark: {@link dev.bulwark.metrics.BulwarkMetrics#bind} binds policies,
 * streams, supervisors and job queues to a {@code MeterRegistry}; {@link
 * dev.bulwark.metrics.BulwarkMeter} lists every meter.
 */
package dev.bulwark.metrics;
