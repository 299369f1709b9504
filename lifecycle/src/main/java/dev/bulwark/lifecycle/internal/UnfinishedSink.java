package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.UnfinishedJob;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a stopping job queue's unfinished jobs go besides the stop's result: the user's sink, if
 * any. A sink that throws is logged, an Error too (a storage driver missing at shutdown, say): the
 * jobs must still reach the stop's result, which is their last way out.
 */
record UnfinishedSink<J>(String queue, Consumer<? super List<UnfinishedJob<J>>> sink) {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.lifecycle");

  /** Passes {@code jobs} to the sink, if there is one and there are jobs. */
  void deliver(List<UnfinishedJob<J>> jobs) {
    if (sink == null || jobs.isEmpty()) {
      return;
    }
    try {
      sink.accept(jobs);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      LOG.log(
          Level.WARNING,
          () -> "the unfinished-job sink of job queue '" + queue + "' threw; see the report",
          e);
    }
  }
}
