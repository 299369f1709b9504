package dev.bulwark.lifecycle;

import dev.bulwark.resilience.ManualTimeSource;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * Explores the interleavings of a job queue's stop racing a submit and a job's completion with
 * Lincheck's model checker, which schedules the caller, the submitter and the runner itself and
 * tries a different order of their lock, park and interrupt steps in each invocation.
 *
 * <p>Job {@code a} runs on the queue's one runner and waits, deaf to interrupts, until a second
 * thread lets it finish; that thread first submits job {@code b}. The stop gives no grace, so it
 * interrupts the runner at once, and then waits (in virtual time that never moves) for it to end. A
 * job ends in exactly one way: its handler returned and its handle says {@code SUCCEEDED}, or it is
 * handed back (not started, or ended by the interrupt) and its handle says {@code CANCELLED}. No
 * job is both finished and handed back, none is lost, and a refused submit neither runs nor comes
 * back.
 *
 * <p>{@code -Dbulwark.stress.scale=N} multiplies the explored interleavings.
 */
class JobQueueInterleavingTest {

  private static final int INVOCATIONS = 30 * Integer.getInteger("bulwark.stress.scale", 1);

  @Test
  void stopRacingSubmitAndCompletionNeitherLosesNorDoubleReportsAJob() {
    // bounded by the invocation count; Lincheck fails an invocation that runs past 30 s as hung
    Lincheck.runConcurrentTest(INVOCATIONS, JobQueueInterleavingTest::stopRacesSubmitAndCompletion);
  }

  private static void stopRacesSubmitAndCompletion() {
    Set<String> completed = ConcurrentHashMap.newKeySet(); // handlers that returned normally
    Map<String, Integer> runs = new ConcurrentHashMap<>();
    List<Thread> runners = new CopyOnWriteArrayList<>();
    CountDownLatch aEntered = new CountDownLatch(1);
    Semaphore aMayFinish = new Semaphore(0);
    JobQueue<String> queue =
        JobQueue.<String>builder(
                "race",
                job -> {
                  runs.merge(job, 1, Integer::sum);
                  if (job.equals("a")) {
                    aEntered.countDown();
                    aMayFinish.acquireUninterruptibly(); // the stop's interrupt does not end it
                  } else if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("stopped before " + job + " did its work");
                  }
                  completed.add(job);
                })
            .capacity(4)
            .concurrency(1)
            .timeSource(new ManualTimeSource())
            .threadFactory(
                task -> {
                  Thread t = new Thread(task);
                  runners.add(t);
                  return t;
                })
            .build();
    queue.start();
    List<JobHandle<String>> accepted = new CopyOnWriteArrayList<>();
    accepted.add(queue.submit("a"));
    AtomicReference<String> refused = new AtomicReference<>();
    Thread completer =
        new Thread(
            () -> {
              try {
                accepted.add(queue.submit("b"));
              } catch (JobQueueClosedException e) {
                refused.set("b");
              }
              try {
                aEntered.await(); // a is running, or the stop has returned without running it
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
              aMayFinish.release();
            });
    completer.start();
    List<UnfinishedJob<String>> handedBack = queue.stop(Duration.ZERO, Duration.ofHours(1));
    aEntered.countDown();
    join(completer);
    runners.forEach(JobQueueInterleavingTest::join);

    Set<String> back = new HashSet<>();
    for (UnfinishedJob<String> u : handedBack) {
      check(back.add(u.job()), "job " + u.job() + " was handed back twice: " + handedBack);
      check(
          u.reason() != UnfinishedJob.Reason.ABANDONED,
          "job " + u.job() + " was abandoned by a stop that waited for its runner");
    }
    for (JobHandle<String> h : accepted) {
      String job = h.job();
      boolean finished = completed.contains(job);
      check(runs.getOrDefault(job, 0) <= 1, "job " + job + " ran " + runs.get(job) + " times");
      check(
          finished != back.contains(job),
          "job "
              + job
              + (finished ? " finished and was handed back " : " neither finished nor came back ")
              + handedBack);
      JobHandle.Status expected =
          finished ? JobHandle.Status.SUCCEEDED : JobHandle.Status.CANCELLED;
      check(h.status() == expected, "job " + job + " is " + h.status() + ", not " + expected);
    }
    if (refused.get() != null) {
      check(!runs.containsKey("b") && !back.contains("b"), "refused job b ran or came back");
    }
    check(
        back.size() + completed.size() == accepted.size(),
        "accepted " + accepted + ", finished " + completed + ", handed back " + handedBack);
    check(queue.unfinishedJobs().equals(handedBack), "unfinishedJobs() differs from the stop's");
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  private static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      throw new AssertionError("interrupted while joining " + t, e);
    }
  }
}
