package dev.bulwark.samples;

import java.util.List;

/** The load scenario: N clients for T seconds, with and without the resilience pipeline. */
final class LoadScenario {

  private LoadScenario() {}

  static void main(List<String> args) {
    throw new UnsupportedOperationException("not yet");
  }
}
