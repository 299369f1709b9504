package dev.outsider;

import dev.bulwark.resilience.internal.Checks;

/** Application code that breaks the rule: the architecture test shows the rule catches it. */
public final class UsesBulwarkInternals {

  private UsesBulwarkInternals() {}

  /**
   * Uses an internal helper.
   *
   * @param value any value
   * @return the value
   */
  public static Object check(Object value) {
    return Checks.notNull(value, "value");
  }
}
