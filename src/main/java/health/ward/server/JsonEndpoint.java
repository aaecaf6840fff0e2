package health.ward.server;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import health.ward.common.WardException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * What the JSON endpoints ({@code /auth}, {@code /admin}) share: bounded JSON bodies, answers
 * that are never cached, and errors as {@code {"error": CODE, "message": …}} with the status of
 * the error family's mapping (server-side failures get a fixed message).
 */
final class JsonEndpoint {
  static final int MAX_BODY = 64 * 1024;
  static final Gson GSON = new GsonBuilder().disableHtmlEscaping()
      .registerTypeAdapter(Instant.class, (com.google.gson.JsonSerializer<Instant>) (t, type, c) ->
          t == null ? null : new com.google.gson.JsonPrimitive(t.toString()))
      .registerTypeAdapter(health.ward.access.Role.class, (com.google.gson.JsonSerializer<health.ward.access.Role>) (r, type, c) ->
          new com.google.gson.JsonPrimitive(r.code()))
      .registerTypeAdapter(health.ward.watch.Severity.class, (com.google.gson.JsonSerializer<health.ward.watch.Severity>) (r, type, c) ->
          new com.google.gson.JsonPrimitive(r.code()))
      .registerTypeAdapter(health.ward.watch.Response.class, (com.google.gson.JsonSerializer<health.ward.watch.Response>) (r, type, c) ->
          new com.google.gson.JsonPrimitive(r.code()))
      .create();

  private JsonEndpoint() {}

  /** The request body as a JSON object; InvalidRequest if it is not one, too large, or not JSON. */
  static JsonObject body(HttpServletRequest req) throws IOException {
    String type = req.getContentType();
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new WardException.InvalidRequest("send a JSON body (Content-Type: application/json)");
    }
    byte[] bytes;
    try (InputStream in = req.getInputStream()) {
      bytes = in.readNBytes(MAX_BODY + 1);
    }
    if (bytes.length > MAX_BODY) throw new WardException.TooLarge("the body is larger than " + MAX_BODY + " bytes");
    try {
      JsonElement e = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) throw new WardException.InvalidRequest("the body must be a JSON object");
      return e.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new WardException.InvalidRequest("the body is not valid JSON");
    }
  }

  /** A string member, or null; InvalidRequest if present but not a string. */
  static String string(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) return null;
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new WardException.InvalidRequest("'" + name + "' must be a string");
    }
    return e.getAsString();
  }

  static String required(JsonObject o, String name) {
    String s = string(o, name);
    if (s == null || s.isEmpty()) throw new WardException.InvalidRequest("'" + name + "' is required");
    return s;
  }

  static void send(HttpServletResponse resp, int status, Object body) throws IOException {
    noStore(resp);
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    byte[] out = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
    resp.setContentLength(out.length);
    resp.getOutputStream().write(out);
  }

  static void fail(HttpServletResponse resp, WardException e) throws IOException {
    Failure f = Failure.of(e, false);
    String message = f.status() >= 500 || e.getMessage() == null ? f.message() : e.getMessage();
    JsonObject o = new JsonObject();
    o.addProperty("error", e.code().name());
    o.addProperty("message", message);
    if (e instanceof WardException.RateLimited) resp.setHeader("Retry-After", "60");
    send(resp, f.status(), o);
  }

  static void noStore(HttpServletResponse resp) {
    resp.setHeader("Cache-Control", "no-store");
    resp.setHeader("Pragma", "no-cache");
    resp.setHeader("X-Content-Type-Options", "nosniff");
  }

  static String bearer(HttpServletRequest req) {
    String h = req.getHeader("Authorization");
    if (h == null || h.length() <= 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    return h.substring(7).strip();
  }

  static String cookie(HttpServletRequest req, String name) {
    if (req.getCookies() == null) return null;
    for (var c : req.getCookies()) if (Objects.equals(c.getName(), name)) return c.getValue();
    return null;
  }
}
