package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;

/*
 * The capacity algorithm: estimate how many calls the dependency serves at once from how much
 * slower calls are than when nothing queues, and hold the limit a little above that estimate.
 *
 * The model, after TCP Vegas and Envoy's adaptive concurrency filter: a dependency that serves C
 * calls at once answers in its baseline latency B while at most C calls are in flight; beyond C the
 * extra calls queue (or share its threads), and latency grows in proportion, to B × n / C for n
 * calls in flight. So one window of samples (mean latency R, mean calls in flight n) estimates
 *
 *   capacity = n × min(1, B / R)             (Vegas' queue estimate is n − capacity)
 *   target   = (1 + headroom) × capacity + 1
 *   limit    = limit + smoothing × (target − limit), bounded by [min, max]
 *
 * The headroom (10 %) keeps a small standing queue, the only way to see the capacity at all: below
 * C latency is B whatever the limit. Above C the target is (1 + headroom) × C + 1 whatever the
 * limit was, so after a step in capacity the limit moves to its new level in a few windows instead
 * of creeping there; below C the same rule grows the limit by about headroom × smoothing per window
 * (the + 1 lets a limit of 1 grow). Fixed point: latency (1 + headroom) × B, or a little above for
 * small limits.
 *
 * Rules that keep it steady:
 *
 * - Windows as in the gradient algorithm: at least windowSamples samples and at least one round
 *   trip (samples of calls that started before the last update measured the old limit; skipped).
 * - The limit falls only on evidence of queueing (R above B by more than half the headroom) or a
 *   drop. A window whose target is below the limit without queueing means the caller, not the
 *   dependency, set the pace (few calls in flight): it leaves the limit alone.
 * - One window moves the target at most to half the limit, so one outlier (a GC pause) costs at
 *   most smoothing / 2 of it.
 * - A window with a drop (a call slower than the bulkhead's timeout, or refused or timed out
 *   further down) aims at half the limit, as AIMD and the gradient algorithm back off on a drop.
 *
 * The baseline B is measured, not configured, by a probe (Envoy's minRTT window; BBR's ProbeRTT):
 * the limit drops to the estimated capacity ÷ (1 + headroom), below C, for one window; with nothing
 * queued that window's mean latency is B. A probe repeats at a limit lower by (1 + headroom) until
 * two consecutive windows agree within half the headroom (the first compares with the previous
 * baseline), so a probe that started above C (the first one, from an initial limit above C, or
 * one that met a drop in capacity) does not mistake queueing for the baseline: above C, latency
 * still falls in proportion to the limit. The first window is a probe at the initial limit; then a
 * probe runs every probeInterval (30 s), so a dependency that really got slower (or faster) is
 * recognised within that time. Between probes the baseline does not move: a running minimum would
 * be dragged down by noise, a running mean up by the standing queue (the drift the gradient
 * algorithm works around). A steady probe costs one window at 9 % below capacity.
 *
 * In the simulation of CapacityStepSimulationTest (a processor-sharing server of capacity 40,
 * then 20, then 40 again, under twice the load it can take), the limit settles at 45 and 23.
 */
/** The capacity recipe; each {@link #start} returns independent state. */
record CapacityAlgorithm(
    double headroom, double smoothing, int windowSamples, Duration probeInterval)
    implements LimitAlgorithm {

  @Override
  public Limit start(int initialLimit, int minLimit, int maxLimit) {
    return new State(this, initialLimit, minLimit, maxLimit);
  }

  @Override
  public String toString() {
    return "capacity(headroom="
        + headroom
        + ", smoothing="
        + smoothing
        + ", windowSamples="
        + windowSamples
        + ", probeInterval="
        + Durations.format(probeInterval)
        + ")";
  }

  private static final class State implements Limit {
    private final double headroom;
    private final double smoothing;
    private final int windowSamples;
    private final long probeIntervalNanos;
    private final int min;
    private final int max;
    private double estimate;

    private boolean windowOpened; // false until the first window closed
    private long windowOpensNanos; // samples of calls started before this are stale
    private double windowRttSum;
    private double windowInflightSum;
    private int windowCount;
    private boolean windowDropped;

    private double baseline = Double.NaN; // mean latency with nothing queued, from the last probe
    private double capacity = Double.NaN; // the last window's estimate
    private boolean probing = true; // the first window probes at the initial limit
    private double probeReference = Double.NaN; // the previous probe window's mean latency
    private double resumeEstimate; // the limit to return to after a probe
    private long probeEndedNanos;

    State(CapacityAlgorithm recipe, int initial, int min, int max) {
      this.headroom = recipe.headroom;
      this.smoothing = recipe.smoothing;
      this.windowSamples = recipe.windowSamples;
      this.probeIntervalNanos = Durations.saturatedNanos(recipe.probeInterval);
      this.min = min;
      this.max = max;
      this.estimate = initial;
      this.resumeEstimate = initial;
    }

    @Override
    public int current() {
      return (int) estimate;
    }

    @Override
    public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
      if (windowOpened && startNanos - windowOpensNanos < 0) {
        return current();
      }
      windowRttSum += rttNanos;
      windowInflightSum += inflight;
      windowCount++;
      windowDropped |= dropped;
      if (windowCount < windowSamples) {
        return current();
      }
      double rtt = Math.max(1.0, windowRttSum / windowCount);
      double busy = windowInflightSum / windowCount;
      boolean drop = windowDropped;
      windowRttSum = 0;
      windowInflightSum = 0;
      windowCount = 0;
      windowDropped = false;
      long now = startNanos + rttNanos;
      windowOpened = true;
      windowOpensNanos = now;
      if (probing) {
        probed(rtt, now);
      } else if (now - probeEndedNanos >= probeIntervalNanos) {
        startProbe();
      } else {
        update(rtt, busy, drop);
      }
      return current();
    }

    private void startProbe() {
      probing = true;
      probeReference = Double.NaN;
      resumeEstimate = estimate;
      double below = Double.isNaN(capacity) ? estimate : Math.min(estimate, capacity);
      estimate = Math.max(min, below / (1 + headroom));
    }

    private void probed(double rtt, long now) {
      double reference = Double.isNaN(probeReference) ? baseline : probeReference;
      boolean agrees = Math.abs(rtt - reference) <= headroom / 2 * reference; // false for NaN
      if (agrees || estimate <= min) {
        baseline = rtt;
        probing = false;
        probeEndedNanos = now;
        estimate = resumeEstimate;
      } else {
        probeReference = rtt;
        estimate = Math.max(min, estimate / (1 + headroom));
      }
    }

    private void update(double rtt, double busy, boolean drop) {
      capacity = busy * Math.min(1.0, baseline / rtt);
      double target = (1 + headroom) * capacity + 1;
      boolean queueing = rtt > (1 + headroom / 2) * baseline;
      if (drop) {
        target = Math.min(target, estimate / 2);
      } else if (target < estimate && !queueing) {
        return;
      }
      target = Math.max(target, estimate / 2);
      estimate = Math.max(min, Math.min(max, estimate + smoothing * (target - estimate)));
    }

    @Override
    public String toString() {
      return "capacity limit "
          + current()
          + (probing ? " (probing)" : "")
          + ", baseline "
          + (long) baseline
          + "ns";
    }
  }
}
