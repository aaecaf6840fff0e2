package health.ward.server;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The sign-in ({@code /signin}) and enrolment ({@code /enrol}) pages and their script and style
 * ({@code /auth-assets/…}). A page load sets a CSRF cookie ({@code __Host-}, Secure, HttpOnly,
 * SameSite=Strict; a random value, kept if the browser already has one) and embeds the same value
 * for the script to send back. Pages carry a strict
 * Content-Security-Policy (scripts only from this origin, nothing inline), may not be framed, and
 * are never cached.
 */
final class PagesServlet extends HttpServlet {
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;"
          + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private static final Map<String, String> ASSETS =
      Map.of("/auth-assets/ward-auth.js", "text/javascript", "/auth-assets/ward.css", "text/css");

  private final transient SecureRandom random;

  PagesServlet(SecureRandom random) {
    this.random = random;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    security(resp);
    String asset = ASSETS.get(path);
    if (asset != null) {
      send(resp, asset, resource(path.substring("/auth-assets/".length())));
      return;
    }
    String page = switch (path) {
      case "/signin" -> "signin.html";
      case "/enrol" -> "enrol.html";
      default -> null;
    };
    if (page == null) {
      resp.sendError(404);
      return;
    }
    // One value per browser: a second tab keeps working with the same cookie.
    String csrf = JsonEndpoint.cookie(req, AuthServlet.CSRF_COOKIE);
    if (csrf == null || !csrf.matches("[A-Za-z0-9_-]{43}")) {
      byte[] raw = new byte[32];
      random.nextBytes(raw);
      csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
    resp.addHeader("Set-Cookie", AuthServlet.CSRF_COOKIE + "=" + csrf + "; Path=/; Secure; HttpOnly; SameSite=Strict");
    String html = new String(resource(page), StandardCharsets.UTF_8).replace("{{CSRF}}", csrf);
    send(resp, "text/html", html.getBytes(StandardCharsets.UTF_8));
  }

  private static void security(HttpServletResponse resp) {
    resp.setHeader("Content-Security-Policy", CSP);
    resp.setHeader("X-Frame-Options", "DENY");
    resp.setHeader("Referrer-Policy", "no-referrer");
    resp.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    JsonEndpoint.noStore(resp);
  }

  private static void send(HttpServletResponse resp, String type, byte[] body) throws IOException {
    resp.setContentType(type + "; charset=utf-8");
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }

  private static byte[] resource(String name) {
    try (InputStream in = PagesServlet.class.getResourceAsStream("web/" + name)) {
      if (in == null) throw new IllegalStateException("missing web resource " + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
