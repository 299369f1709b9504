/**
 * JMH benchmarks of Bulwark beside its peers. Each class measures one concern; its methods are
 * named {@code <implementation>} or {@code <implementation>_<variant>}, where the implementation is
 * {@code bulwark}, {@code resilience4j}, {@code failsafe}, {@code guava}, {@code handwritten} or
 * {@code baseline}. The report ({@link dev.bulwark.benchmarks.report.Report}) pairs rows with the
 * same class, variant and thread count to compute the ratios.
 */
package dev.bulwark.benchmarks;
