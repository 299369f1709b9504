package dev.bulwark.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.bulkhead.AdaptiveBulkhead;
import dev.bulwark.resilience.bulkhead.CapacitySimulation;
import dev.bulwark.resilience.bulkhead.CapacitySimulation.PhaseResult;
import dev.bulwark.resilience.bulkhead.LimitAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Netflix concurrency-limits 0.5.3 (AIMD, Gradient2, Vegas) and Bulwark's three limit algorithms,
 * each with its defaults, in the same simulation ({@link CapacitySimulation}: capacity 40, 20 from
 * 30 s, 40 from 45 s, offered twice what 40 serves, callers giving up after 200 ms). Writes the
 * table of benchmarks/README.md to {@code target/adaptive-limits.md} and prints it.
 */
class AdaptiveLimitComparisonTest {

  private static final long SEED = 42;

  private static Function<ManualTimeSource, CapacitySimulation.Limiter> netflix(
      Supplier<Limit> limit) {
    return time -> {
      SimpleLimiter<Void> limiter =
          SimpleLimiter.newBuilder().limit(limit.get()).nanoClock(time::nanoTime).build();
      return new CapacitySimulation.Limiter() {
        @Override
        public CapacitySimulation.Ticket tryAcquire() {
          Optional<Limiter.Listener> listener = limiter.acquire(null);
          if (listener.isEmpty()) {
            return null;
          }
          Limiter.Listener l = listener.get();
          return new CapacitySimulation.Ticket() {
            @Override
            public void onSuccess() {
              l.onSuccess();
            }

            @Override
            public void onDropped() {
              l.onDropped();
            }
          };
        }

        @Override
        public int limit() {
          return limiter.getLimit();
        }
      };
    };
  }

  private static Function<ManualTimeSource, CapacitySimulation.Limiter> bulwark(
      Supplier<AdaptiveBulkhead.Builder> builder) {
    return time -> CapacitySimulation.of(builder.get().timeSource(time).build());
  }

  private static Map<String, Function<ManualTimeSource, CapacitySimulation.Limiter>> contestants() {
    Map<String, Function<ManualTimeSource, CapacitySimulation.Limiter>> all = new LinkedHashMap<>();
    all.put("Netflix AIMD", netflix(() -> AIMDLimit.newBuilder().build()));
    all.put("Netflix Gradient2", netflix(Gradient2Limit::newDefault));
    all.put("Netflix Vegas", netflix(VegasLimit::newDefault));
    all.put(
        "Bulwark AIMD",
        bulwark(() -> AdaptiveBulkhead.builder("aimd").algorithm(LimitAlgorithm.aimd().build())));
    all.put(
        "Bulwark gradient",
        bulwark(
            () ->
                AdaptiveBulkhead.builder("gradient").algorithm(LimitAlgorithm.gradient().build())));
    all.put("**Bulwark capacity (default)**", bulwark(() -> AdaptiveBulkhead.builder("default")));
    return all;
  }

  @Test
  void everyAlgorithmRunsInTheSameSimulationAndOnlyTheNewDefaultMeetsEveryTarget()
      throws IOException {
    Map<String, CapacitySimulation.Result> results = new LinkedHashMap<>();
    contestants()
        .forEach((name, limiter) -> results.put(name, CapacitySimulation.run(SEED, limiter)));

    String table = table(results);
    Path out = Path.of("target", "adaptive-limits.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
    System.out.println(table);

    results.forEach(
        (name, result) ->
            assertThat(meetsTargets(result)).as(name).isEqualTo(name.contains("default")));
  }

  /** Issue 17's targets. */
  static boolean meetsTargets(CapacitySimulation.Result result) {
    for (PhaseResult p : result.phases()) {
      int c = p.phase().capacity();
      boolean ok =
          p.settle() != null
              && p.settle().compareTo(p.phase().allowance()) <= 0
              && p.minLimit() >= Math.ceil(c * 0.75)
              && p.maxLimit() <= c * 5 / 4
              && p.goodput() >= 0.95
              && p.p99Ratio() <= 1.5;
      if (!ok) {
        return false;
      }
    }
    return result.goodput() >= 0.95;
  }

  static String table(Map<String, CapacitySimulation.Result> results) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "| algorithm (defaults) | limit at C = 40: mean (range) | after the drop to 20 |"
            + " after the recovery to 40 | settle after drop (≤ 5 s) | settle after recovery"
            + " (≤ 10 s) | goodput: steady phases (≥ 95 %) / whole run | p99 of admitted calls"
            + " per phase (≤ 30 ms) | all targets |");
    lines.add("|---|---|---|---|---|---|---|---|---|");
    results.forEach(
        (name, r) -> {
          PhaseResult start = r.phase("start");
          PhaseResult drop = r.phase("drop");
          PhaseResult recovery = r.phase("recovery");
          double steadyGoodput =
              r.phases().stream().mapToDouble(PhaseResult::goodput).min().orElseThrow();
          lines.add(
              String.format(
                  Locale.ROOT,
                  "| %s | %s | %s | %s | %s | %s | %.1f %% / %.1f %% | %s / %s / %s ms | %s |",
                  name,
                  limit(start),
                  limit(drop),
                  limit(recovery),
                  settle(drop),
                  settle(recovery),
                  100 * steadyGoodput,
                  100 * r.goodput(),
                  millis(start.p99()),
                  millis(drop.p99()),
                  millis(recovery.p99()),
                  meetsTargets(r) ? "**met**" : "missed"));
        });
    return String.join("\n", lines) + "\n";
  }

  private static String limit(PhaseResult p) {
    return String.format(Locale.ROOT, "%.1f (%d–%d)", p.meanLimit(), p.minLimit(), p.maxLimit());
  }

  private static String settle(PhaseResult p) {
    return p.settle() == null
        ? "never"
        : String.format(Locale.ROOT, "%.1f s", p.settle().toNanos() / 1e9);
  }

  private static String millis(Duration d) {
    return String.format(Locale.ROOT, "%.0f", d.toNanos() / 1e6);
  }
}
