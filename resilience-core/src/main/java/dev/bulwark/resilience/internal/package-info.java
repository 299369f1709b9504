/**
 * Implementation shared by Bulwark's modules. Not an API: anything here may change in any release.
 */
package dev.bulwark.resilience.internal;
