package dev.bulwark.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a real process: SIGTERM drains an open stream with a last whole line, hands back
 * the jobs it could not finish in a file, exits 0 within its budget, and the next start finishes
 * those jobs.
 */
class GracefulShutdownTest {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

  @TempDir Path dataDir;

  @Test
  void sigtermEndsStreamsCleanlyKeepsUnfinishedJobsAndExitsZero() throws Exception {
    List<String> refs = new ArrayList<>();
    Process first = startChild("first");
    try {
      assertTimeoutPreemptively(
          Duration.ofSeconds(60),
          () -> {
            URI base = awaitListening(first);
            HttpResponse<InputStream> stream =
                Http.open(Http.request(base.resolve("/quotes/stream")).GET().build());
            StrictNdjson lines = new StrictNdjson(stream.body());
            assertThat(lines.next().orElseThrow().get("type").asText()).isEqualTo("tick");
            for (int i = 0; i < 3; i++) {
              HttpResponse<String> r =
                  Http.postJson(base.resolve("/jobs"), "{\"task\":\"report\",\"durationMs\":1500}");
              assertThat(r.statusCode()).isEqualTo(202);
              refs.add(Http.json(r).get("id").asText());
            }
            Poll.until(
                Duration.ofSeconds(20),
                "the runner has taken the first job",
                () ->
                    !Http.json(Http.get(base.resolve("/jobs/" + refs.getFirst())))
                        .get("status")
                        .asText()
                        .equals("QUEUED"));

            long sent = System.nanoTime();
            first.destroy(); // SIGTERM
            List<JsonNode> rest = new ArrayList<>();
            for (Optional<JsonNode> l = lines.next(); l.isPresent(); l = lines.next()) {
              rest.add(l.get());
            }
            assertThat(rest.getLast().get("type").asText()).isEqualTo("end");
            assertThat(rest.getLast().get("reason").asText()).isEqualTo("shutdown");
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).as("exited within its budget").isTrue();
            assertThat(first.exitValue()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - sent))
                .isLessThan(Duration.ofSeconds(20));
          });
    } finally {
      first.destroyForcibly();
    }

    Set<String> completed = new HashSet<>(lines(dataDir.resolve("completed-jobs.log")));
    Set<String> unfinished = new HashSet<>();
    for (String line : lines(dataDir.resolve("unfinished-jobs.ndjson"))) {
      unfinished.add(Http.JSON.readTree(line).get("ref").asText());
    }
    assertThat(unfinished).as("three 1.5 s jobs, one runner, 0.3 s of grace").isNotEmpty();
    for (String ref : refs) {
      assertThat(completed.contains(ref) ^ unfinished.contains(ref))
          .as("job %s either finished or was handed back, never both, never neither", ref)
          .isTrue();
    }

    Process second = startChild("second");
    try {
      assertTimeoutPreemptively(
          Duration.ofSeconds(60),
          () -> {
            awaitListening(second);
            Poll.until(
                Duration.ofSeconds(20),
                "the re-queued jobs have finished",
                () ->
                    new HashSet<>(lines(dataDir.resolve("completed-jobs.log"))).containsAll(refs));
            assertThat(dataDir.resolve("unfinished-jobs.ndjson")).doesNotExist();
            second.destroy();
            assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isZero();
          });
    } finally {
      second.destroyForcibly();
    }
  }

  private Process startChild(String name) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-XX:TieredStopAtLevel=1", // starts faster; the child serves a few requests only
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.bulwark.samples.Main",
            "--port",
            "0",
            "--data-dir",
            dataDir.toString(),
            "--failure-rate",
            "0",
            "--latency-ms",
            "1",
            "--job-concurrency",
            "1",
            "--job-grace-ms",
            "300",
            "--drain-delay-ms",
            "200");
    pb.redirectError(dataDir.resolveSibling(dataDir.getFileName() + "-" + name + ".err").toFile());
    pb.environment().remove("BULWARK_ADMIN_TOKEN");
    return pb.start();
  }

  private static URI awaitListening(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        URI base = URI.create(m.group(1));
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    out.lines().forEach(l -> {}); // keep the pipe drained
                  } catch (java.io.UncheckedIOException e) {
                    // the process has ended and its pipe was closed: nothing left to drain
                  }
                });
        return base;
      }
    }
    throw new AssertionError("the service exited before it listened: " + p.exitValue());
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file)
          ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList()
          : List.of();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
