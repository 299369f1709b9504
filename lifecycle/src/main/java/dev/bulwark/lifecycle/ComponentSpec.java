package dev.bulwark.lifecycle;

import java.util.function.Consumer;

/**
 * A component as registered with a supervisor's builder, one record per kind: the kind is fixed by
 * the builder method used, so a worker-only setting cannot reach a resource, and the supervisor
 * makes each component with one exhaustive switch.
 */
sealed interface ComponentSpec {

  /** The component's name (a job queue's own name). */
  String name();

  /** A worker, with its settings. */
  record WorkerSpec(String name, Worker worker, Consumer<WorkerSettings> settings)
      implements ComponentSpec {}

  /** A managed resource, with its settings. */
  record ResourceSpec(String name, ManagedResource resource, Consumer<ComponentSettings> settings)
      implements ComponentSpec {}

  /** A job queue, with its settings. */
  record QueueSpec(String name, JobQueue<?> queue, Consumer<ComponentSettings> settings)
      implements ComponentSpec {}
}
