/**
 * The lifecycle module's machinery behind the {@code Supervisor} and {@code JobQueue} facades: the
 * supervisor's runtime, the start and stop sequences, one component class per kind and the host
 * interface they see, the one stop protocol and its budget, and the restart intensity. Not API: it
 * may change in any release.
 */
package dev.bulwark.lifecycle.internal;
