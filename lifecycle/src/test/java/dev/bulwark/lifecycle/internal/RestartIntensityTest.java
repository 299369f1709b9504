package dev.bulwark.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The restart intensity as a pure function: no clock, only times passed in. */
class RestartIntensityTest {

  private static final long WINDOW = 60;

  @Test
  void theFirstFailureRestartsAndStartsTheBackoffAfresh() {
    RestartIntensity.Decision d = RestartIntensity.decide(List.of(), 100, 3, WINDOW);
    assertThat(d.restart()).isTrue();
    assertThat(d.freshBackoff()).isTrue();
    assertThat(d.history()).containsExactly(100L);
  }

  @Test
  void aFailureBeyondMaxRestartsWithinTheWindowEscalates() {
    RestartIntensity.Decision d = RestartIntensity.decide(List.of(10L, 20L, 30L), 40, 3, WINDOW);
    assertThat(d.restart()).isFalse();
    assertThat(d.history()).containsExactly(10L, 20L, 30L);
  }

  @Test
  void restartsOlderThanTheWindowNoLongerCount() {
    // 10 is exactly one window old at 70: it has left the window
    RestartIntensity.Decision d = RestartIntensity.decide(List.of(10L, 20L, 30L), 70, 3, WINDOW);
    assertThat(d.restart()).isTrue();
    assertThat(d.freshBackoff()).isFalse();
    assertThat(d.history()).containsExactly(20L, 30L, 70L);
  }

  @Test
  void aFailureAfterAQuietWindowStartsTheBackoffAfresh() {
    RestartIntensity.Decision d = RestartIntensity.decide(List.of(10L, 20L), 200, 3, WINDOW);
    assertThat(d.restart()).isTrue();
    assertThat(d.freshBackoff()).isTrue();
    assertThat(d.history()).containsExactly(200L);
  }
}
