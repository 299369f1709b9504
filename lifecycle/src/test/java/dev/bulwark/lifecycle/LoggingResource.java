package dev.bulwark.lifecycle;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A managed resource that writes its starts and stops to a shared log and can be made to misbehave.
 */
final class LoggingResource implements ManagedResource {

  private final String name;
  private final List<String> log;
  Exception failStart;
  CountDownLatch blockStart;
  CountDownLatch blockStop;
  final CountDownLatch startEntered = new CountDownLatch(1);

  LoggingResource(String name, List<String> log) {
    this.name = name;
    this.log = log;
  }

  @Override
  public void start() throws Exception {
    startEntered.countDown();
    if (blockStart != null) {
      blockStart.await();
    }
    if (failStart != null) {
      throw failStart;
    }
    log.add("start " + name);
  }

  @Override
  public void stop() throws Exception {
    if (blockStop != null) {
      blockStop.await();
    }
    log.add("stop " + name);
  }
}
