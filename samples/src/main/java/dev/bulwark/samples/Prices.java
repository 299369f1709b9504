package dev.bulwark.samples;

/** Deterministic made-up prices, so that a quote is plausible and a test can predict it. */
final class Prices {

  private Prices() {}

  /**
   * Returns the price of {@code symbol} at tick {@code seq}: a base derived from the symbol, moved
   * a little by the tick number, in cents precision.
   */
  static double price(String symbol, long seq) {
    int base = 50 + Math.floorMod(symbol.hashCode(), 450);
    long wobble = Math.floorMod(seq * 37 + symbol.hashCode(), 200) - 100;
    return Math.round((base + wobble / 100.0) * 100) / 100.0;
  }
}
