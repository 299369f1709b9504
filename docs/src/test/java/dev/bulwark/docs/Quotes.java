package dev.bulwark.docs;

import java.io.IOException;

/** The small domain the guides' examples share: a quote service behind an unreliable upstream. */
final class Quotes {
  private Quotes() {}

  /** A price for a symbol; NaN when unavailable. */
  record Quote(String symbol, double price) {
    static Quote unavailable(String symbol) {
      return new Quote(symbol, Double.NaN);
    }
  }

  /** The upstream client a service protects; the tests stub or mock it. */
  interface QuoteClient {
    Quote fetch(String symbol) throws IOException;
  }
}
