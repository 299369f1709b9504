package dev.bulwark.samples;

import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code POST /files}: a multipart upload of one or more files ({@code files}) with optional form
 * metadata ({@code description}, {@code tags}, {@code category}).
 *
 * <p>Each file is copied to disk under a generated name (a UUID: no path from the client ever
 * reaches the file system, and {@code CREATE_NEW} means nothing is overwritten); the name the
 * client sent is kept only as metadata, in a JSON file beside it. A request larger than the limit
 * is refused with 413 before it is read, and a body that grows past it while being copied is
 * refused the same way. Each stored file is then hashed by a background job.
 */
final class Uploads {

  private static final Pattern TAG = Pattern.compile("[a-z0-9-]{1,32}");
  private static final Set<String> CATEGORIES = Set.of("report", "image", "data", "other");
  private static final Pattern ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Path dir;
  private final long limit;
  private final Jobs jobs;

  Uploads(ServiceConfig config, Jobs jobs) {
    this.dir = config.dataDir().resolve("uploads");
    this.limit = config.uploadLimit();
    this.jobs = jobs;
  }

  /** The stored file of an upload id; the id must be one this service generated. */
  static Path storedFile(Path dataDir, String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not an upload id: " + id);
    }
    return dataDir.resolve("uploads").resolve(id + ".bin");
  }

  void post(Context ctx) throws IOException {
    long length = ctx.req().getContentLengthLong();
    if (length > limit) {
      throw tooLarge();
    }
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase().startsWith("multipart/form-data")) {
      throw new ApiException(415, "send the upload as multipart/form-data, was " + type);
    }
    List<UploadedFile> files;
    String description;
    String tags;
    String category;
    try {
      files = ctx.uploadedFiles("files");
      description = ctx.formParam("description");
      tags = ctx.formParam("tags");
      category = ctx.formParam("category");
    } catch (Exception e) { // Jetty's parser throws ServletException, undeclared through Kotlin
      ApiException refusal = malformed(e);
      if (refusal.status() == 400) {
        // The parser gave up part-way, so where this request ends on the connection is unknown
        // and the server closes it after the answer. Say so, or a client pools the connection and
        // its next request meets the closed socket ("header parser received no bytes").
        ctx.header("Connection", "close");
        drain(ctx); // read what the parser left, so the client is not reset before it reads the 400
      }
      throw refusal;
    }
    Map<String, String> invalid = new LinkedHashMap<>();
    if (files.isEmpty()) {
      invalid.put("files", "at least one file is required (form field 'files')");
    } else if (files.size() > 20) {
      invalid.put("files", "at most 20 files per upload, was " + files.size());
    }
    if (description != null && description.length() > 500) {
      invalid.put("description", "must be at most 500 characters, was " + description.length());
    }
    List<String> tagList = List.of();
    if (tags != null && !tags.isBlank()) {
      tagList = Arrays.stream(tags.split(",")).map(String::strip).toList();
      if (tagList.size() > 10 || !tagList.stream().allMatch(t -> TAG.matcher(t).matches())) {
        invalid.put("tags", "must be at most 10 comma-separated tags of a-z, 0-9 and '-'");
      }
    }
    if (category != null && !CATEGORIES.contains(category)) {
      invalid.put("category", "must be one of " + CATEGORIES.stream().sorted().toList());
    }
    ApiException.unprocessableIf(invalid);

    Files.createDirectories(dir);
    List<Map<String, Object>> stored = new ArrayList<>();
    long total = 0;
    for (UploadedFile file : files) {
      String id = UUID.randomUUID().toString();
      Path target = storedFile(dir.getParent(), id);
      long size;
      try (InputStream in = file.content()) {
        size = copy(in, target, limit - total);
      }
      total += size;
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("id", id);
      meta.put("originalName", file.filename());
      meta.put("contentType", file.contentType());
      meta.put("size", size);
      meta.put("description", description);
      meta.put("tags", tagList);
      meta.put("category", category);
      Files.writeString(dir.resolve(id + ".json"), Json.write(meta), StandardOpenOption.CREATE_NEW);
      Jobs.Job job = jobs.submit("process-upload", Map.of("file", id));
      meta.put("job", "/jobs/" + job.ref());
      stored.add(meta);
    }
    ctx.status(201);
    Service.json(ctx, Map.of("files", stored));
  }

  /** Copies at most {@code max} bytes to a new file; refuses with 413 (and deletes it) beyond. */
  private long copy(InputStream in, Path target, long max) throws IOException {
    long size = 0;
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        size += n;
        if (size > max) {
          throw tooLarge();
        }
        out.write(buffer, 0, n);
      }
    } catch (ApiException | IOException e) {
      Files.deleteIfExists(target);
      throw e;
    }
    return size;
  }

  /**
   * Reads and drops the rest of a refused request's body, at most the upload limit: a server that
   * answers while the client is still sending, and then closes, can make the client's TCP stack
   * drop the answer (a reset), so the client sees no response instead of the 400.
   */
  private void drain(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] buffer = new byte[8192];
      long left = limit;
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException | IllegalStateException e) {
      // the body was already consumed or the connection is gone: nothing left to drain
      System.getLogger(Uploads.class.getName())
          .log(System.Logger.Level.DEBUG, "could not drain a refused upload: " + e);
    }
  }

  /** The multipart parser refused the body: 413 if it was too large, else 400 with its reason. */
  private ApiException malformed(Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = String.valueOf(root.getMessage());
    if (reason.toLowerCase().contains("max") || reason.toLowerCase().contains("exceed")) {
      return tooLarge();
    }
    return new ApiException(400, "the multipart body could not be read: " + reason);
  }

  private ApiException tooLarge() {
    return new ApiException(413, "the upload is larger than the limit of " + limit + " bytes");
  }
}
