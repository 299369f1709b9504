/**
 * Implementation shared by Bulwark's own modules; not API.
 *
 * <p><b>The rule.</b> {@code internal} is shared by Bulwark's own modules (resilience-core,
 * streaming, lifecycle and the modules built on them) and is not API: anything here may change in
 * any release, without notice or deprecation. Classes outside {@code dev.bulwark..} must not use
 * it. Bulwark's modules use it for the preconditions ({@link
 * dev.bulwark.resilience.internal.Checks}), duration handling ({@link
 * dev.bulwark.resilience.internal.Durations}), listener lists ({@link
 * dev.bulwark.resilience.internal.Listeners}) and the pipeline's steps ({@link
 * dev.bulwark.resilience.internal.PipelineStep}), so that each rule is written once.
 *
 * <p>The rule is checked where it can be: every module's architecture test requires that only
 * {@code dev.bulwark..} classes depend on this package; the jar's manifest names it in a {@code
 * Bulwark-Internal-Package} entry, since an automatic module ({@code Automatic-Module-Name:
 * dev.bulwark.resilience}) exports every package and cannot hide it. Application code cannot be
 * checked: this paragraph is its notice.
 */
package dev.bulwark.resilience.internal;
