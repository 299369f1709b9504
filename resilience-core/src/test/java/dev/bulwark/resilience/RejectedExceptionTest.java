package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RejectedExceptionTest {

  /** A refusal that counts how often its message is built. */
  static final class Counting extends RejectedException {
    @Serial private static final long serialVersionUID = 1L;

    final AtomicInteger built = new AtomicInteger();

    Counting(String policyName, long retryAfterNanos) {
      super(policyName, retryAfterNanos);
    }

    @Override
    protected String buildMessage() {
      built.incrementAndGet();
      return "'" + policyName() + "' is busy; retry after " + retryAfter().orElseThrow();
    }
  }

  /** A refusal that keeps the default lazy message. */
  static final class Plain extends RejectedException {
    @Serial private static final long serialVersionUID = 1L;

    Plain(String policyName, long retryAfterNanos) {
      super(policyName, retryAfterNanos);
    }

    Plain(String policyName, Duration retryAfter, String message) {
      super(policyName, retryAfter, message);
    }
  }

  @Test
  void aLazyRefusalBuildsItsMessageOnlyWhenAsked() {
    Counting refusal = new Counting("api", 1_500);
    assertThat(refusal.built).hasValue(0);

    assertThat(refusal.getMessage()).isEqualTo("'api' is busy; retry after PT0.0000015S");
    assertThat(refusal.getLocalizedMessage()).isEqualTo(refusal.getMessage());
    assertThat(refusal.toString()).endsWith(": 'api' is busy; retry after PT0.0000015S");
    assertThat(refusal.built).hasValue(4); // kept nowhere: built again on each read
  }

  @Test
  void aLazyRefusalKnowsWhenToRetryWithoutBuildingItsMessage() {
    Counting refusal = new Counting("api", 4_200_000_001L);

    assertThat(refusal.retryAfter()).contains(Duration.ofMillis(4_200).plusNanos(1));
    assertThat(refusal.policyName()).isEqualTo("api");
    assertThat(refusal.getStackTrace()).isEmpty();
    assertThat(refusal.built).hasValue(0);
  }

  @Test
  void theDefaultLazyMessageNamesThePolicyAndTheWait() {
    assertThat(new Plain("api", 12_500_000).getMessage())
        .isEqualTo("'api' refused the call; retry in 12.5ms");
    assertThat(new Plain("api", 0).getMessage()).isEqualTo("'api' refused the call; retry in 0s");
    assertThat(new Plain("api", 0).retryAfter()).contains(Duration.ZERO);
  }

  @Test
  void anEagerRefusalKeepsItsMessageAndItsWaitExactly() {
    Duration longerThanNanosHold = Duration.ofDays(365L * 1_000);
    Plain refusal = new Plain("api", longerThanNanosHold, "api is closed for a while");

    assertThat(refusal.getMessage()).isEqualTo("api is closed for a while");
    assertThat(refusal.retryAfter()).contains(longerThanNanosHold);
    assertThat(new Plain("api", null, "no idea").retryAfter()).isEmpty();
    assertThat(new Plain("api", null, "no idea").getStackTrace()).isEmpty();
  }

  @Test
  void rejectsANegativeWaitAndAMissingPolicyName() {
    assertThatThrownBy(() -> new Plain("api", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryAfterNanos must not be negative, was -1");
    assertThatThrownBy(() -> new Plain(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("policyName");
    assertThatThrownBy(() -> new Plain("api", Duration.ofNanos(-1), "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryAfter must not be negative, was -1ns");
    assertThatThrownBy(() -> new Plain("api", null, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("message");
  }

  @Test
  void aLazyRefusalIsSerializedWithItsMessageAndItsWait() throws Exception {
    Counting refusal = new Counting("api", 7_000);

    Counting copy = roundTrip(refusal);

    assertThat(refusal.built).hasValue(0); // not built for the stream: the copy builds it
    assertThat(copy.getMessage()).isEqualTo("'api' is busy; retry after PT0.000007S");
    assertThat(copy.built).hasValue(1);
    assertThat(copy.retryAfter()).contains(Duration.ofNanos(7_000));
    assertThat(copy.policyName()).isEqualTo("api");
  }

  @Test
  void anEagerRefusalIsSerializedWithItsMessageAndItsWait() throws Exception {
    Plain copy = roundTrip(new Plain("api", Duration.ofSeconds(3), "wait 3s"));

    assertThat(copy.getMessage()).isEqualTo("wait 3s");
    assertThat(copy.retryAfter()).contains(Duration.ofSeconds(3));
    assertThat(roundTrip(new Plain("api", null, "no idea")).retryAfter()).isEmpty();
  }

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T object) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(object);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
