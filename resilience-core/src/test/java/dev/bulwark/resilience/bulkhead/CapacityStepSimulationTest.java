package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bulwark.resilience.bulkhead.CapacitySimulation.PhaseResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17's targets for the default adaptive limit, in {@link CapacitySimulation}: a
 * processor-sharing dependency of capacity 40, 20 from 30 s, 40 again from 45 s, offered 4,000
 * calls a second (twice what 40 serves), callers giving up after 200 ms. Seeded and in virtual
 * time.
 */
class CapacityStepSimulationTest {

  private static final Duration UNLOADED = CapacitySimulation.WORK;

  private static CapacitySimulation.Result runDefaults(long seed) {
    return CapacitySimulation.run(
        seed,
        time ->
            CapacitySimulation.of(AdaptiveBulkhead.builder("dependency").timeSource(time).build()));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 42, 2026})
  void theDefaultLimitFindsTheCapacityAfterEachStepAndHoldsItSteady(long seed) {
    CapacitySimulation.Result result = runDefaults(seed);
    for (PhaseResult phase : result.phases()) {
      int capacity = phase.phase().capacity();
      String name = phase.phase().name();
      // within ±25 % of the new capacity within 5 s of the drop, 10 s of the recovery (and of
      // the start, from the initial limit of 20) ...
      assertThat(phase.settle()).as(name + " settle").isNotNull();
      assertThat(phase.settle())
          .as(name + " settle")
          .isLessThanOrEqualTo(phase.phase().allowance());
      // ... and no swing beyond ±25 % afterwards
      assertThat(phase.minLimit())
          .as(name + " min")
          .isGreaterThanOrEqualTo((int) Math.ceil(capacity * 0.75));
      assertThat(phase.maxLimit()).as(name + " max").isLessThanOrEqualTo(capacity * 5 / 4);
      assertThat(phase.goodput()).as(name + " goodput").isGreaterThanOrEqualTo(0.95);
      assertThat(phase.p99())
          .as(name + " p99")
          .isLessThanOrEqualTo(UNLOADED.multipliedBy(3).dividedBy(2));
    }
    assertThat(result.goodput()).as("goodput over the whole run").isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void theSameSeedGivesTheSameRun() {
    assertThat(runDefaults(7)).isEqualTo(runDefaults(7));
  }

  /** A limiter that only counts: the server model seen through a fixed limit. */
  private static CapacitySimulation.Limiter fixed(int limit) {
    int[] inFlight = {0};
    return new CapacitySimulation.Limiter() {
      @Override
      public CapacitySimulation.Ticket tryAcquire() {
        if (inFlight[0] >= limit) {
          return null;
        }
        inFlight[0]++;
        return new CapacitySimulation.Ticket() {
          @Override
          public void onSuccess() {
            inFlight[0]--;
          }

          @Override
          public void onDropped() {
            inFlight[0]--;
          }
        };
      }

      @Override
      public int limit() {
        return limit;
      }
    };
  }

  @Test
  void theServerSharesItsCapacityAmongTheCallsInIt() {
    CapacitySimulation.Result result = CapacitySimulation.run(42, time -> fixed(40));
    PhaseResult start = result.phase("start");
    // 40 calls in a server of 40: each takes its 20 ms of work; a slot freed waits for the next
    // arrival (0.25 ms on average), so the server is busy about 20 / 20.25 of the time
    assertThat(start.p99()).isEqualTo(UNLOADED);
    assertThat(start.goodput()).isBetween(0.97, 0.99);
    assertThat(start.settle()).isEqualTo(Duration.ZERO);
    assertThat(start.meanLimit()).isEqualTo(40.0);
    PhaseResult drop = result.phase("drop");
    // 40 calls in a server of 20: each gets half a server, so takes 40 ms; all are still served
    assertThat(drop.p99()).isBetween(Duration.ofMillis(39), Duration.ofMillis(40));
    assertThat(drop.goodput()).isCloseTo(1.0, within(0.01));
    assertThat(drop.settle()).isNull(); // 40 is twice the capacity of 20
  }

  @Test
  void callersGiveUpAfterTheirTimeoutWhileTheServerFinishesTheWork() {
    CapacitySimulation.Result result = CapacitySimulation.run(42, time -> fixed(1_000));
    PhaseResult drop = result.phase("drop");
    // 4,000 calls a second into a server that serves 1,000: the server fills until every call
    // takes longer than 200 ms; callers give up, the server still spends its work on them
    assertThat(drop.p99()).isEqualTo(CapacitySimulation.TIMEOUT);
    assertThat(drop.goodput()).isLessThan(0.1);
  }
}
