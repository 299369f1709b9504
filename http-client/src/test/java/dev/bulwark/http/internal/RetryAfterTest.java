package dev.bulwark.http.internal;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.http.internal.RetryAfter.Reading;
import dev.bulwark.http.internal.RetryAfter.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  private static final Instant NOW = Instant.parse("1994-11-06T08:49:37Z");
  private static final Duration CAP = ofSeconds(30);

  private static Reading read(String value) {
    return RetryAfter.read(value, Optional.empty(), NOW, CAP);
  }

  @Test
  void readsDeltaSeconds() {
    assertThat(read("2")).isEqualTo(new Reading(Status.OK, ofSeconds(2)));
    assertThat(read(" 0 ")).isEqualTo(new Reading(Status.OK, Duration.ZERO));
    assertThat(read("007")).isEqualTo(new Reading(Status.OK, ofSeconds(7)));
    assertThat(read("30")).isEqualTo(new Reading(Status.OK, ofSeconds(30)));
  }

  @Test
  void capsLongAndUnrepresentableValues() {
    assertThat(read("31")).isEqualTo(new Reading(Status.CAPPED, CAP));
    assertThat(read("9223372036854775807")).isEqualTo(new Reading(Status.CAPPED, CAP));
    assertThat(read("99999999999999999999999999")).isEqualTo(new Reading(Status.CAPPED, CAP));
    assertThat(read("Sat, 06 Nov 2094 08:49:37 GMT")).isEqualTo(new Reading(Status.CAPPED, CAP));
  }

  @Test
  void ignoresNegativeAndMalformedValues() {
    assertThat(read("-1")).isEqualTo(new Reading(Status.NEGATIVE, Duration.ZERO));
    assertThat(read("+5").status()).isEqualTo(Status.MALFORMED);
    assertThat(read("").status()).isEqualTo(Status.MALFORMED);
    assertThat(read("1.5").status()).isEqualTo(Status.MALFORMED);
    assertThat(read("soon").status()).isEqualTo(Status.MALFORMED);
    assertThat(read("Sun, 06 Nov 1994 25:49:37 GMT").status()).isEqualTo(Status.MALFORMED);
  }

  @Test
  void readsAnHttpDateFromTheResponsesDateElseFromNow() {
    String in10s = "Sun, 06 Nov 1994 08:49:47 GMT";
    assertThat(read(in10s)).isEqualTo(new Reading(Status.OK, ofSeconds(10)));
    Optional<String> serverDate = Optional.of("Sun, 06 Nov 1994 08:49:45 GMT");
    assertThat(RetryAfter.read(in10s, serverDate, NOW, CAP))
        .isEqualTo(new Reading(Status.OK, ofSeconds(2)));
    Optional<String> badServerDate = Optional.of("yesterday");
    assertThat(RetryAfter.read(in10s, badServerDate, NOW, CAP))
        .isEqualTo(new Reading(Status.OK, ofSeconds(10)));
  }

  @Test
  void aDateInThePastMeansNow() {
    assertThat(read("Sat, 05 Nov 1994 08:49:37 GMT"))
        .isEqualTo(new Reading(Status.OK, Duration.ZERO));
  }
}
