/**
 * The streaming module's implementation: sources and operators behind the public factories. Not an
 * API: anything here may change in any release.
 */
package dev.bulwark.streaming.internal;
