package dev.bulwark.resilience.hedge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyWindowTest {

  @Test
  void usesTheFallbackUntilItHasEnoughSamples() {
    LatencyWindow window = new LatencyWindow(95, 777);
    for (int i = 1; i < LatencyWindow.MIN_SAMPLES; i++) {
      window.record(i);
      assertThat(window.delayNanos()).isEqualTo(777);
    }
    window.record(LatencyWindow.MIN_SAMPLES);
    assertThat(window.delayNanos()).as("nearest rank: ceil(0.95 × 20) = 19th").isEqualTo(19);
  }

  @Test
  void followsTheRecentLatenciesOnly() {
    LatencyWindow window = new LatencyWindow(50, 0);
    for (int i = 0; i < LatencyWindow.SIZE; i++) {
      window.record(1_000);
    }
    assertThat(window.delayNanos()).isEqualTo(1_000);
    for (int i = 0; i < LatencyWindow.SIZE; i++) {
      window.record(5);
    }
    assertThat(window.delayNanos()).isEqualTo(5);
    assertThat(window.samples()).isEqualTo(LatencyWindow.SIZE);
  }

  @Test
  void theHundredthPercentileIsTheLargestSample() {
    LatencyWindow window = new LatencyWindow(100, 0);
    for (int i = 1; i <= 32; i++) {
      window.record(i * 10L);
    }
    assertThat(window.delayNanos()).isEqualTo(320);
  }
}
