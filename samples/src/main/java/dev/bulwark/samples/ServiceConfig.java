package dev.bulwark.samples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the quotes service can be told at start, with defaults that run it on a laptop.
 *
 * @param host the address the service binds
 * @param port the service's port; 0 picks a free one
 * @param upstreamPort the simulated upstream's port; 0 picks a free one
 * @param dataDir where uploads, the outbox and the unfinished-jobs file go
 * @param adminToken the token the admin endpoints require; without it they are off
 * @param upstreamFaults how the simulated upstream misbehaves at start
 * @param tickInterval how often the upstream sends a tick on a stream
 * @param upstreamTimeout the most one upstream attempt may take
 * @param upstreamConcurrency the most upstream calls at once (bulkhead)
 * @param breakerOpenDuration how long the upstream's breaker stays open
 * @param ratePerMinute requests per minute each client may make to the API
 * @param rateBurst how many requests a client may make at once
 * @param uploadLimit the largest upload, in bytes
 * @param computeThreads the platform threads (and bulkhead permits) for CPU-bound work
 * @param jobConcurrency how many background jobs run at once
 * @param heartbeat how often a quiet stream sends a heartbeat
 * @param drainDelay how long the service keeps serving after readiness turns false
 * @param shutdownBudget the most a graceful shutdown may take
 * @param jobGrace how long running jobs may go on at shutdown before they are interrupted
 */
record ServiceConfig(
    String host,
    int port,
    int upstreamPort,
    Path dataDir,
    Optional<String> adminToken,
    SimulatedUpstream.Faults upstreamFaults,
    Duration tickInterval,
    Duration upstreamTimeout,
    int upstreamConcurrency,
    Duration breakerOpenDuration,
    int ratePerMinute,
    int rateBurst,
    long uploadLimit,
    int computeThreads,
    int jobConcurrency,
    Duration heartbeat,
    Duration drainDelay,
    Duration shutdownBudget,
    Duration jobGrace) {

  ServiceConfig {
    check(port >= 0 && port <= 65535, "port must be in [0, 65535], was " + port);
    check(
        upstreamPort >= 0 && upstreamPort <= 65535,
        "upstreamPort must be in [0, 65535], was " + upstreamPort);
    check(ratePerMinute >= 1, "ratePerMinute must be at least 1, was " + ratePerMinute);
    check(rateBurst >= 1, "rateBurst must be at least 1, was " + rateBurst);
    check(uploadLimit >= 1, "uploadLimit must be at least 1, was " + uploadLimit);
    check(computeThreads >= 1, "computeThreads must be at least 1, was " + computeThreads);
    check(jobConcurrency >= 1, "jobConcurrency must be at least 1, was " + jobConcurrency);
    check(
        upstreamConcurrency >= 1,
        "upstreamConcurrency must be at least 1, was " + upstreamConcurrency);
    adminToken = adminToken.filter(t -> !t.isBlank());
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The defaults: port 8080, a mildly flaky upstream, data under {@code dataDir}. */
  static ServiceConfig defaults(Path dataDir) {
    return new ServiceConfig(
        "127.0.0.1",
        8080,
        0,
        dataDir,
        Optional.empty(),
        new SimulatedUpstream.Faults(0.1, Duration.ofMillis(20), Duration.ZERO),
        Duration.ofMillis(250),
        Duration.ofSeconds(1),
        32,
        Duration.ofSeconds(5),
        120,
        20,
        10L * 1024 * 1024,
        Runtime.getRuntime().availableProcessors(),
        2,
        Duration.ofSeconds(15),
        Duration.ofSeconds(1),
        Duration.ofSeconds(20),
        Duration.ofSeconds(5));
  }

  ServiceConfig withPorts(int port, int upstreamPort) {
    return new ServiceConfig(
        host,
        port,
        upstreamPort,
        dataDir,
        adminToken,
        upstreamFaults,
        tickInterval,
        upstreamTimeout,
        upstreamConcurrency,
        breakerOpenDuration,
        ratePerMinute,
        rateBurst,
        uploadLimit,
        computeThreads,
        jobConcurrency,
        heartbeat,
        drainDelay,
        shutdownBudget,
        jobGrace);
  }

  ServiceConfig withAdminToken(String token) {
    return new ServiceConfig(
        host,
        port,
        upstreamPort,
        dataDir,
        Optional.ofNullable(token),
        upstreamFaults,
        tickInterval,
        upstreamTimeout,
        upstreamConcurrency,
        breakerOpenDuration,
        ratePerMinute,
        rateBurst,
        uploadLimit,
        computeThreads,
        jobConcurrency,
        heartbeat,
        drainDelay,
        shutdownBudget,
        jobGrace);
  }

  ServiceConfig withUpstreamFaults(SimulatedUpstream.Faults faults) {
    return new ServiceConfig(
        host,
        port,
        upstreamPort,
        dataDir,
        adminToken,
        faults,
        tickInterval,
        upstreamTimeout,
        upstreamConcurrency,
        breakerOpenDuration,
        ratePerMinute,
        rateBurst,
        uploadLimit,
        computeThreads,
        jobConcurrency,
        heartbeat,
        drainDelay,
        shutdownBudget,
        jobGrace);
  }

  ServiceConfig withRate(int perMinute, int burst) {
    return new ServiceConfig(
        host,
        port,
        upstreamPort,
        dataDir,
        adminToken,
        upstreamFaults,
        tickInterval,
        upstreamTimeout,
        upstreamConcurrency,
        breakerOpenDuration,
        perMinute,
        burst,
        uploadLimit,
        computeThreads,
        jobConcurrency,
        heartbeat,
        drainDelay,
        shutdownBudget,
        jobGrace);
  }

  ServiceConfig withLimits(long uploadLimit, int computeThreads, int upstreamConcurrency) {
    return new ServiceConfig(
        host,
        port,
        upstreamPort,
        dataDir,
        adminToken,
        upstreamFaults,
        tickInterval,
        upstreamTimeout,
        upstreamConcurrency,
        breakerOpenDuration,
        ratePerMinute,
        rateBurst,
        uploadLimit,
        computeThreads,
        jobConcurrency,
        heartbeat,
        drainDelay,
        shutdownBudget,
        jobGrace);
  }

  ServiceConfig withTiming(
      Duration tickInterval,
      Duration heartbeat,
      Duration breakerOpenDuration,
      Duration drainDelay) {
    return new ServiceConfig(
        host,
        port,
        upstreamPort,
        dataDir,
        adminToken,
        upstreamFaults,
        tickInterval,
        upstreamTimeout,
        upstreamConcurrency,
        breakerOpenDuration,
        ratePerMinute,
        rateBurst,
        uploadLimit,
        computeThreads,
        jobConcurrency,
        heartbeat,
        drainDelay,
        shutdownBudget,
        jobGrace);
  }

  ServiceConfig withJobs(int jobConcurrency, Duration jobGrace) {
    return new ServiceConfig(
        host,
        port,
        upstreamPort,
        dataDir,
        adminToken,
        upstreamFaults,
        tickInterval,
        upstreamTimeout,
        upstreamConcurrency,
        breakerOpenDuration,
        ratePerMinute,
        rateBurst,
        uploadLimit,
        computeThreads,
        jobConcurrency,
        heartbeat,
        drainDelay,
        shutdownBudget,
        jobGrace);
  }
}
