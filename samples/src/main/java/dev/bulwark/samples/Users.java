package dev.bulwark.samples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code POST /users}: registration with validation (422 naming each invalid field, 409 for an
 * e-mail already registered), then 201 and a welcome e-mail sent in the background.
 */
final class Users {

  // deliberately simple: one @, a dot in the domain, no spaces; the real check is the mail sent
  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");

  /** A registered user. */
  record User(String id, String name, String email) {}

  private final Jobs jobs;
  private final Map<String, User> byEmail = new ConcurrentHashMap<>();

  Users(Jobs jobs) {
    this.jobs = jobs;
  }

  void register(Context ctx) {
    JsonNode body = jsonBody(ctx);
    Map<String, String> invalid = new LinkedHashMap<>();
    String name = text(body, "name");
    String email = text(body, "email");
    if (name == null || name.isBlank()) {
      invalid.put("name", "is required");
    } else if (name.length() > 100) {
      invalid.put("name", "must be at most 100 characters, was " + name.length());
    }
    if (email == null || email.isBlank()) {
      invalid.put("email", "is required");
    } else if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      invalid.put("email", "must be an e-mail address like ada@example.com");
    }
    ApiException.unprocessableIf(invalid);
    User user = new User(UUID.randomUUID().toString(), name.strip(), email.toLowerCase());
    if (byEmail.putIfAbsent(user.email(), user) != null) {
      throw new ApiException(409, "a user with this e-mail is already registered");
    }
    Jobs.Job welcome =
        jobs.submit(
            "welcome-email",
            Map.of("userId", user.id(), "name", user.name(), "email", user.email()));
    ctx.status(201).header("Location", "/users/" + user.id());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", user.id());
    m.put("name", user.name());
    m.put("email", user.email());
    m.put("welcomeJob", "/jobs/" + welcome.ref());
    Service.json(ctx, m);
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  /** Reads the request body as a JSON object, or refuses with 400 or 415 saying why. */
  static JsonNode jsonBody(Context ctx) {
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      throw new ApiException(415, "send the body as application/json, was " + type);
    }
    try {
      JsonNode node = Json.MAPPER.readTree(ctx.body());
      if (node == null || !node.isObject()) {
        throw new ApiException(400, "the body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ApiException(
          400,
          "the body is not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
  }
}
