package dev.bulwark.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChecksTest {

  @Test
  void aNameMustBeNeitherNullNorBlankAndABlankOneIsShown() {
    assertThat(Checks.name("quotes")).isEqualTo("quotes");
    assertThatThrownBy(() -> Checks.name(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> Checks.name(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was ''");
    assertThatThrownBy(() -> Checks.name(" \t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was ' \t'");
  }

  @Test
  void aMissingRequiredSettingSaysHowToSetIt() {
    Checks.required(true, "timeout", ".timeout(Duration)");
    assertThatThrownBy(() -> Checks.required(false, "timeout", ".timeout(Duration)"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("timeout is required: set it with .timeout(Duration)");
  }

  @Test
  void aNullIsRefusedWithTheNameOfTheSetting() {
    assertThat(Checks.notNull("x", "store")).isEqualTo("x");
    assertThatThrownBy(() -> Checks.notNull(null, "store"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("store");
  }
}
