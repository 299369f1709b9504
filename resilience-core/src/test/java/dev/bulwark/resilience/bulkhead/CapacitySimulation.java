package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A discrete-event simulation, in virtual time, of a concurrency limiter in front of a dependency
 * whose capacity steps down and up again; shared by the core's tests and the benchmarks module's
 * comparison with Netflix's concurrency-limits, so every limiter meets the same traffic.
 *
 * <p>The dependency is a processor-sharing server of capacity C: each call needs {@link #WORK} (20
 * ms) of service; while n calls are in it, each is served at rate min(1, C / n), so up to C calls
 * take 20 ms and beyond that every call slows in proportion. C is 40, drops to 20 at 30 s and
 * returns to 40 at 45 s; the run ends at 75 s. Callers arrive as a Poisson process at twice the
 * throughput of capacity 40 (4,000 calls per second, so four times what capacity 20 serves), are
 * not retried when refused, and give up {@link #TIMEOUT} (200 ms) after they were admitted: the
 * limiter then sees a drop, while the server, which does not know, finishes the work anyway.
 *
 * <p>Each {@link Phase} is measured over its steady part, from its start plus an allowance (the
 * time the limit is given to settle) to its end: the time-weighted mean limit and its range, the
 * goodput (calls answered within the timeout, as a fraction of what the capacity can serve), and
 * the 99th percentile of the latency of admitted calls (a call that timed out counts 200 ms). The
 * settle time is from the start of the phase to the moment after which the limit stays within ±25 %
 * of the capacity for the rest of the phase.
 *
 * <p>One thread, no sleeping: the engine advances a {@link ManualTimeSource} from event to event,
 * and a run of 75 virtual seconds takes well under a second.
 */
public final class CapacitySimulation {

  /** Service time of one call when nothing queues: the unloaded latency. */
  public static final Duration WORK = Duration.ofMillis(20);

  /** How long a caller waits before it gives up. */
  public static final Duration TIMEOUT = Duration.ofMillis(200);

  /** The capacity before the drop and after the recovery. */
  public static final int CAPACITY = 40;

  /** Arrivals per second as a multiple of the throughput of {@link #CAPACITY}. */
  public static final double OVERLOAD = 2.0;

  /** The end of a run. */
  public static final Duration END = Duration.ofSeconds(75);

  /**
   * A span of time with one capacity.
   *
   * @param name what the table calls it
   * @param from when it starts
   * @param to when it ends
   * @param capacity calls the server serves at once
   * @param allowance how long the limit is given to settle before the steady part starts
   */
  public record Phase(String name, Duration from, Duration to, int capacity, Duration allowance) {}

  /** The scenario: 40, then 20 from 30 s, then 40 again from 45 s. */
  public static final List<Phase> PHASES =
      List.of(
          new Phase("start", Duration.ZERO, Duration.ofSeconds(30), 40, Duration.ofSeconds(10)),
          new Phase(
              "drop", Duration.ofSeconds(30), Duration.ofSeconds(45), 20, Duration.ofSeconds(5)),
          new Phase("recovery", Duration.ofSeconds(45), END, 40, Duration.ofSeconds(10)));

  /** A limiter under test, as an adapter over Bulwark's bulkhead or a peer's limiter. */
  public interface Limiter {
    /**
     * Asks for a permit at the current virtual time.
     *
     * @return the permit, or null when refused
     */
    Ticket tryAcquire();

    /**
     * Returns the current limit.
     *
     * @return the limit
     */
    int limit();
  }

  /** One admitted call. */
  public interface Ticket {
    /** The answer came back in time. */
    void onSuccess();

    /** The caller gave up at its timeout. */
    void onDropped();
  }

  /**
   * What one phase saw in its steady part.
   *
   * @param phase the phase
   * @param settle from the start of the phase until the limit stayed within ±25 % of the capacity,
   *     or null if it was outside at the end of the phase
   * @param meanLimit the time-weighted mean limit
   * @param minLimit the lowest limit
   * @param maxLimit the highest limit
   * @param goodput calls answered in time, as a fraction of what the capacity serves
   * @param p99 the 99th percentile of the latency of admitted calls
   */
  public record PhaseResult(
      Phase phase,
      Duration settle,
      double meanLimit,
      int minLimit,
      int maxLimit,
      double goodput,
      Duration p99) {

    /**
     * Returns the 99th percentile latency as a multiple of the unloaded latency.
     *
     * @return p99 ÷ 20 ms
     */
    public double p99Ratio() {
      return (double) p99.toNanos() / WORK.toNanos();
    }
  }

  /**
   * What a run saw.
   *
   * @param phases one result per phase, in order
   * @param goodput calls answered in time over the whole run, as a fraction of what the capacity
   *     serves
   */
  public record Result(List<PhaseResult> phases, double goodput) {

    /**
     * Returns the result of the phase of that name.
     *
     * @param name the phase's name
     * @return its result
     */
    public PhaseResult phase(String name) {
      return phases.stream().filter(p -> p.phase().name().equals(name)).findFirst().orElseThrow();
    }
  }

  private CapacitySimulation() {}

  /**
   * Adapts a Bulwark adaptive bulkhead: its {@link AdaptiveBulkhead#acquirePermit() permits}, a
   * drop reported as a {@link TimeoutExceededException} (a drop by its default predicate).
   *
   * @param bulkhead a bulkhead built on the run's time source, with no maximum wait
   * @return the limiter
   */
  public static Limiter of(AdaptiveBulkhead bulkhead) {
    TimeoutExceededException gaveUp =
        new TimeoutExceededException("caller", TIMEOUT, "the caller gave up", null);
    return new Limiter() {
      @Override
      public Ticket tryAcquire() {
        Permit permit;
        try {
          permit = bulkhead.acquirePermit();
        } catch (BulkheadFullException full) {
          return null;
        }
        return new Ticket() {
          @Override
          public void onSuccess() {
            permit.onSuccess();
          }

          @Override
          public void onDropped() {
            permit.onFailure(gaveUp);
          }
        };
      }

      @Override
      public int limit() {
        return bulkhead.limit();
      }
    };
  }

  /** One admitted call, in the server and with its caller. */
  private static final class Job {
    final long start;
    final double finishWork; // the server's cumulative work per call at which this one is done
    final Ticket ticket;
    boolean answered;

    Job(long start, double finishWork, Ticket ticket) {
      this.start = start;
      this.finishWork = finishWork;
      this.ticket = ticket;
    }
  }

  /** Running measurements of one phase. */
  private static final class Meter {
    final Phase phase;
    final long from;
    final long steadyFrom;
    final long to;
    final int low;
    final int high;
    long lastOutside = -1; // when the limit last came back within the band, -1 if never outside
    boolean outside;
    double limitIntegral;
    int minLimit = Integer.MAX_VALUE;
    int maxLimit;
    long answered;
    long[] latencies = new long[1024];
    int latencyCount;

    Meter(Phase phase) {
      this.phase = phase;
      this.from = phase.from().toNanos();
      this.steadyFrom = from + phase.allowance().toNanos();
      this.to = phase.to().toNanos();
      this.low = (int) Math.ceil(phase.capacity() * 0.75);
      this.high = (int) Math.floor(phase.capacity() * 1.25);
    }

    /** The limit was {@code limit} during [start, end). */
    void held(long start, long end, int limit) {
      long a = Math.max(start, from);
      long b = Math.min(end, to);
      if (a >= b) {
        return;
      }
      boolean out = limit < low || limit > high;
      if (out) {
        outside = true;
      } else if (outside) {
        outside = false;
        lastOutside = a;
      }
      long sa = Math.max(a, steadyFrom);
      if (sa < b) {
        limitIntegral += (double) limit * (b - sa);
        minLimit = Math.min(minLimit, limit);
        maxLimit = Math.max(maxLimit, limit);
      }
    }

    void answered(long at, long latency, boolean inTime) {
      if (at < steadyFrom || at >= to) {
        return;
      }
      if (inTime) {
        answered++;
      }
      if (latencyCount == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencyCount * 2);
      }
      latencies[latencyCount++] = latency;
    }

    PhaseResult result() {
      long steady = to - steadyFrom;
      double served = (double) steady * phase.capacity() / WORK.toNanos();
      long[] sorted = Arrays.copyOf(latencies, latencyCount);
      Arrays.sort(sorted);
      long p99 = sorted.length == 0 ? 0 : sorted[(int) Math.ceil(0.99 * sorted.length) - 1];
      Duration settle = outside ? null : Duration.ofNanos(lastOutside < 0 ? 0 : lastOutside - from);
      return new PhaseResult(
          phase,
          settle,
          limitIntegral / steady,
          minLimit,
          maxLimit,
          answered / served,
          Duration.ofNanos(p99));
    }
  }

  /**
   * Runs the scenario once.
   *
   * @param seed the seed of the arrivals
   * @param limiterOn builds the limiter on the run's time source
   * @return what each phase saw
   */
  public static Result run(long seed, Function<ManualTimeSource, Limiter> limiterOn) {
    ManualTimeSource time = new ManualTimeSource(0);
    Limiter limiter = limiterOn.apply(time);
    SplittableRandom random = new SplittableRandom(seed);
    long work = WORK.toNanos();
    long timeout = TIMEOUT.toNanos();
    long end = END.toNanos();
    double meanGap = work / (OVERLOAD * CAPACITY);
    List<Meter> meters = PHASES.stream().map(Meter::new).toList();
    ArrayDeque<Job> server = new ArrayDeque<>(); // in order of finishWork: all need the same work
    ArrayDeque<Job> waiting = new ArrayDeque<>(); // in order of deadline, answered ones skipped
    double served = 0; // service each call in the server has received since the start
    long now = 0;
    long nextArrival = gap(random, meanGap);
    long good = 0;
    while (true) {
      int capacity = capacityAt(now);
      int n = server.size();
      double rate = n <= capacity ? 1.0 : (double) capacity / n;
      long nextCompletion =
          n == 0
              ? Long.MAX_VALUE
              : now + Math.max(0, (long) Math.ceil((server.peek().finishWork - served) / rate));
      while (!waiting.isEmpty() && waiting.peek().answered) {
        waiting.poll();
      }
      long nextTimeout = waiting.isEmpty() ? Long.MAX_VALUE : waiting.peek().start + timeout;
      long nextStep = nextStep(now);
      long t = Math.min(Math.min(nextArrival, nextCompletion), Math.min(nextTimeout, nextStep));
      t = Math.min(t, end);
      int limit = limiter.limit();
      for (Meter m : meters) {
        m.held(now, t, limit);
      }
      served += rate * (t - now);
      time.advance(Duration.ofNanos(t - now));
      now = t;
      if (now == end) {
        break;
      }
      if (now == nextCompletion) {
        while (!server.isEmpty() && server.peek().finishWork <= served + 1e-3) {
          Job done = server.poll();
          if (!done.answered) {
            done.answered = true;
            done.ticket.onSuccess();
            good++;
            for (Meter m : meters) {
              m.answered(now, now - done.start, true);
            }
          }
        }
      } else if (now == nextTimeout) {
        Job late = waiting.poll();
        late.answered = true;
        late.ticket.onDropped();
        for (Meter m : meters) {
          m.answered(now, timeout, false);
        }
      } else if (now == nextArrival) {
        nextArrival = now + gap(random, meanGap);
        Ticket ticket = limiter.tryAcquire();
        if (ticket != null) {
          Job job = new Job(now, served + work, ticket);
          server.add(job);
          waiting.add(job);
        }
      }
    }
    double capacityTime = 0;
    for (Phase p : PHASES) {
      capacityTime += (double) p.capacity() * (p.to().toNanos() - p.from().toNanos());
    }
    return new Result(meters.stream().map(Meter::result).toList(), good / (capacityTime / work));
  }

  private static int capacityAt(long now) {
    for (Phase p : PHASES) {
      if (now < p.to().toNanos()) {
        return p.capacity();
      }
    }
    return PHASES.getLast().capacity();
  }

  private static long nextStep(long now) {
    for (Phase p : PHASES) {
      if (p.from().toNanos() > now) {
        return p.from().toNanos();
      }
    }
    return Long.MAX_VALUE;
  }

  private static long gap(SplittableRandom random, double mean) {
    return Math.max(1, (long) (-Math.log(1 - random.nextDouble()) * mean));
  }
}
