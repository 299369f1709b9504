package dev.bulwark.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The tests' HTTP client: java.net.http, one fresh API key per request unless one is given. */
final class Http {

  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  static final ObjectMapper JSON = new ObjectMapper();

  private Http() {}

  static HttpRequest.Builder request(URI uri) {
    return request(uri, "test-" + UUID.randomUUID());
  }

  static HttpRequest.Builder request(URI uri, String apiKey) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("X-Api-Key", apiKey);
  }

  static HttpResponse<String> get(URI uri) {
    return send(request(uri).GET().build());
  }

  static HttpResponse<String> postJson(URI uri, String json) {
    return send(
        request(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<InputStream> open(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + response.body(), e);
    }
  }

  /** A multipart/form-data body built by hand, so that file names can be anything at all. */
  static final class Multipart {
    final String boundary = "----bulwark" + UUID.randomUUID();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Multipart field(String name, String value) {
      text("--" + boundary + "\r\n");
      text("Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n");
      text(value + "\r\n");
      return this;
    }

    /** A file part whose filename is put in the header as given (quotes escaped only). */
    Multipart file(String name, String filename, byte[] content) {
      return part(name, "filename=\"" + filename.replace("\"", "%22") + "\"", content);
    }

    /** A file part whose filename is sent RFC 8187-encoded ({@code filename*=UTF-8''...}). */
    Multipart encodedFile(String name, String filename, byte[] content) {
      String encoded =
          java.net.URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20");
      return part(name, "filename*=UTF-8''" + encoded, content);
    }

    private Multipart part(String name, String filenameParam, byte[] content) {
      text("--" + boundary + "\r\n");
      text("Content-Disposition: form-data; name=\"" + name + "\"; " + filenameParam + "\r\n");
      text("Content-Type: application/octet-stream\r\n\r\n");
      out.writeBytes(content);
      text("\r\n");
      return this;
    }

    HttpRequest request(URI uri) {
      text("--" + boundary + "--\r\n");
      return Http.request(uri)
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()))
          .build();
    }

    private void text(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  static List<String> header(HttpResponse<?> response, String name) {
    return response.headers().allValues(name);
  }
}
