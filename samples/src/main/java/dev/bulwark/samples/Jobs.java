package dev.bulwark.samples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.lifecycle.JobHandle;
import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.lifecycle.UnfinishedJob;
import dev.bulwark.resilience.TimeSource;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Background work after the response: one {@link JobQueue} for every kind of job (a report, the
 * processing of an upload, a welcome e-mail), the {@code /jobs} endpoints, and the file of jobs a
 * shutdown could not finish, which the next start puts back on the queue.
 *
 * <p>Every job carries a {@code ref} (a UUID) that clients see as its id; it survives a restart,
 * unlike the queue's own handle ids. A finished job appends its ref to {@code completed-jobs.log}.
 */
final class Jobs {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.samples.jobs");

  /**
   * One background job.
   *
   * @param ref the id clients see
   * @param kind {@code report}, {@code process-upload} or {@code welcome-email}
   * @param args the job's arguments
   */
  record Job(String ref, String kind, Map<String, String> args) {}

  private final Path dataDir;
  private final Path unfinishedFile;
  private final Path completedLog;
  private final Path outbox;
  private final TimeSource time = TimeSource.system();
  private final JobQueue<Job> queue;
  private final Map<String, JobHandle<Job>> handles = new ConcurrentHashMap<>();
  private final ReentrantLock fileLock = new ReentrantLock();

  Jobs(ServiceConfig config) {
    this.dataDir = config.dataDir();
    this.unfinishedFile = dataDir.resolve("unfinished-jobs.ndjson");
    this.completedLog = dataDir.resolve("completed-jobs.log");
    this.outbox = dataDir.resolve("outbox.ndjson");
    this.queue =
        JobQueue.<Job>builder("jobs", this::run)
            .capacity(100)
            .concurrency(config.jobConcurrency())
            .unfinishedSink(this::writeUnfinished)
            .build();
  }

  JobQueue<Job> queue() {
    return queue;
  }

  /** Puts back the jobs the last shutdown left unfinished, and removes their file. */
  int requeueUnfinished() throws IOException {
    if (!Files.exists(unfinishedFile)) {
      return 0;
    }
    List<String> lines = Files.readAllLines(unfinishedFile, StandardCharsets.UTF_8);
    int n = 0;
    for (String line : lines) {
      if (!line.isBlank()) {
        Job job = Json.MAPPER.readValue(line, Job.class);
        handles.put(job.ref(), queue.submit(job));
        n++;
      }
    }
    Files.delete(unfinishedFile);
    LOG.log(System.Logger.Level.INFO, "re-queued {0} unfinished jobs from the last run", n);
    return n;
  }

  /** Submits a job; refusals (queue full, shutting down) become 503 with Retry-After. */
  Job submit(String kind, Map<String, String> args) {
    Job job = new Job(UUID.randomUUID().toString(), kind, Map.copyOf(args));
    handles.put(job.ref(), queue.submit(job));
    return job;
  }

  /** {@code POST /jobs} with {@code {"task":"report","durationMs":500}}: 202 and the job's URL. */
  void post(Context ctx) throws IOException {
    JsonNode body = Users.jsonBody(ctx);
    Map<String, String> invalid = new LinkedHashMap<>();
    JsonNode task = body.get("task");
    if (task == null || !task.isTextual() || !task.asText().equals("report")) {
      invalid.put("task", "must be \"report\"");
    }
    JsonNode duration = body.get("durationMs");
    long ms = 200;
    if (duration != null) {
      if (!duration.canConvertToLong() || duration.asLong() < 0 || duration.asLong() > 60_000) {
        invalid.put("durationMs", "must be an integer in [0, 60000]");
      } else {
        ms = duration.asLong();
      }
    }
    ApiException.unprocessableIf(invalid);
    Job job = submit("report", Map.of("durationMs", Long.toString(ms)));
    ctx.status(202).header("Location", "/jobs/" + job.ref());
    Service.json(
        ctx, Map.of("id", job.ref(), "status", "QUEUED", "location", "/jobs/" + job.ref()));
  }

  /** {@code GET /jobs/{id}}: the job's status. */
  void get(Context ctx) {
    String ref = ctx.pathParam("id");
    JobHandle<Job> handle = handles.get(ref);
    if (handle == null) {
      throw new ApiException(404, "no job with id '" + ref + "' since this instance started");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ref);
    m.put("kind", handle.job().kind());
    m.put("status", handle.status().name());
    handle.failure().ifPresent(f -> m.put("failure", f.toString()));
    Service.json(ctx, m);
  }

  Map<String, Object> stats() {
    return Map.of("queued", queue.queued(), "running", queue.running(), "known", handles.size());
  }

  private void run(Job job) throws Exception {
    switch (job.kind()) {
      case "report" -> time.sleep(Duration.ofMillis(Long.parseLong(job.args().get("durationMs"))));
      case "process-upload" -> processUpload(job.args().get("file"));
      case "welcome-email" -> sendWelcome(job.args());
      default -> throw new IllegalArgumentException("unknown job kind " + job.kind());
    }
    append(completedLog, job.ref() + "\n");
  }

  /** Hashes the stored upload and records the digest beside it. */
  private void processUpload(String fileId) throws IOException, NoSuchAlgorithmException {
    Path stored = Uploads.storedFile(dataDir, fileId);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(stored)) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha.update(buffer, 0, n);
      }
    }
    Files.writeString(
        stored.resolveSibling(fileId + ".sha256"), HexFormat.of().formatHex(sha.digest()));
  }

  /** "Sends" the welcome e-mail: appends it to the outbox file that a mailer would pick up. */
  private void sendWelcome(Map<String, String> args) {
    Map<String, String> mail = new LinkedHashMap<>();
    mail.put("to", args.get("email"));
    mail.put("subject", "Welcome, " + args.get("name"));
    mail.put("userId", args.get("userId"));
    append(outbox, Json.write(mail) + "\n");
  }

  private void writeUnfinished(List<UnfinishedJob<Job>> unfinished) {
    StringBuilder sb = new StringBuilder();
    List<String> refs = new ArrayList<>();
    for (UnfinishedJob<Job> u : unfinished) {
      sb.append(Json.write(u.job())).append('\n');
      refs.add(u.job().ref() + " (" + u.reason() + ")");
    }
    append(unfinishedFile, sb.toString());
    LOG.log(
        System.Logger.Level.WARNING,
        "{0} jobs did not finish and were written to {1}: {2}",
        unfinished.size(),
        unfinishedFile,
        refs);
  }

  private void append(Path file, String text) {
    fileLock.lock();
    try {
      Files.writeString(
          file,
          text,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } finally {
      fileLock.unlock();
    }
  }
}
