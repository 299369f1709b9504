package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.testing.TrackingThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * What the job queue tests share: tracked threads, the jobs done, a latch released at the end, a
 * stand-in retry.
 */
abstract class JobQueueFixture {

  static final Duration LIMIT = ofSeconds(10);

  final TrackingThreads threads = new TrackingThreads();

  final List<String> done = Collections.synchronizedList(new ArrayList<>());

  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void checkThreads() throws InterruptedException {
    release.countDown();
    threads.assertNoThreadLeftBehind();
  }

  /** A policy that tries a call up to {@code attempts} times: a stand-in for a Retry. */
  record Attempts(int attempts, AtomicInteger calls) implements Policy {
    @Override
    public String name() {
      return "attempts";
    }

    @Override
    public <T, X extends Exception> T call(Call<T, X> call) throws X {
      for (int i = 1; ; i++) {
        calls.incrementAndGet();
        try {
          return call.call();
        } catch (Exception e) {
          if (i == attempts) {
            throw Exceptions.<X>rethrow(e);
          }
        }
      }
    }
  }

  JobQueue.Builder<String> queue(JobHandler<String> handler) {
    return JobQueue.builder("emails", handler).threadFactory(threads);
  }
}
