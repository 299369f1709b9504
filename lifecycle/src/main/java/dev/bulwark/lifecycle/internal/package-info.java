/**
 * The lifecycle module's machinery: the one stop protocol and its budget, and the restart
 * intensity. Not API: it may change in any release.
 */
package dev.bulwark.lifecycle.internal;
