package health.ward.server;

import com.google.gson.JsonObject;
import health.ward.access.Principal;
import health.ward.auth.Clients;
import health.ward.auth.Identity;
import health.ward.auth.SignIn;
import health.ward.common.WardException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in, enrolment and tokens at {@code /auth} (JSON), used by the web pages and by clients:
 *
 * <ul>
 *   <li>{@code POST /auth/login} {@code {username, password}} → {@code {ticket, factors}};
 *   <li>{@code POST /auth/login/webauthn/options} {@code {ticket}} → WebAuthn request options;
 *   <li>{@code POST /auth/login/webauthn} {@code {ticket, credential}} and
 *       {@code POST /auth/login/totp} {@code {ticket, code}} → the session:
 *       {@code {access_token, token_type, expires_in, idle_timeout, username, role}};
 *   <li>{@code POST /auth/logout} ends the session of the bearer token or session cookie;
 *       {@code GET /auth/me} says who a bearer token is;
 *   <li>{@code POST /auth/enrol/state|password|webauthn/options|webauthn|totp|totp/confirm}, each with
 *       the enrolment link's {@code secret};
 *   <li>{@code POST /auth/token}: the OAuth client-credentials grant (form-encoded, client
 *       authentication by HTTP Basic or {@code client_id}/{@code client_secret}).
 * </ul>
 *
 * <p>Every {@code POST} but {@code /auth/token} must carry {@code X-CSRF-Token} equal to the
 * {@value #CSRF_COOKIE} cookie the pages set (double-submit), compared in constant time. The
 * session cookie is {@code HttpOnly; Secure; SameSite=Strict} and only ends the session; the FHIR
 * API takes bearer tokens only, so no cross-site request can use it.
 */
final class AuthServlet extends HttpServlet {
  static final String PATH = "/auth";
  static final String CSRF_COOKIE = "__Host-ward_csrf";
  static final String SESSION_COOKIE = "__Host-ward_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Logger LOG = LoggerFactory.getLogger(AuthServlet.class);

  private final transient Identity identity;

  AuthServlet(Identity identity) {
    this.identity = Objects.requireNonNull(identity, "identity");
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    String address = req.getRemoteAddr();
    String agent = req.getHeader("User-Agent");
    try {
      if (path.equals("/me") && req.getMethod().equals("GET")) {
        Principal who = identity.tokens().authenticate(JsonEndpoint.bearer(req));
        JsonEndpoint.send(resp, 200, Map.of("username", who.name(), "role", who.role().code(), "scopes", who.scopes().toString()));
        return;
      }
      if (!req.getMethod().equals("POST")) {
        resp.setHeader("Allow", "POST");
        JsonEndpoint.send(resp, 405, Map.of("error", "INVALID_REQUEST", "message", "use POST"));
        return;
      }
      if (path.equals("/token")) {
        token(req, resp, address, agent);
        return;
      }
      checkCsrf(req);
      SignIn s = identity.signIn();
      switch (path) {
        case "/login" -> {
          JsonObject b = JsonEndpoint.body(req);
          SignIn.Step step = s.password(JsonEndpoint.string(b, "username"), chars(JsonEndpoint.string(b, "password")), address, agent);
          JsonEndpoint.send(resp, 200, Map.of("ticket", step.ticket(), "factors", step.factors()));
        }
        case "/login/webauthn/options" -> raw(resp, s.webauthnOptions(JsonEndpoint.required(JsonEndpoint.body(req), "ticket")));
        case "/login/webauthn" -> {
          JsonObject b = JsonEndpoint.body(req);
          session(resp, s.webauthn(JsonEndpoint.required(b, "ticket"), JsonEndpoint.required(b, "credential"), address, agent));
        }
        case "/login/totp" -> {
          JsonObject b = JsonEndpoint.body(req);
          session(resp, s.totp(JsonEndpoint.required(b, "ticket"), JsonEndpoint.required(b, "code"), address, agent));
        }
        case "/logout" -> {
          String token = JsonEndpoint.bearer(req);
          if (token == null) token = JsonEndpoint.cookie(req, SESSION_COOKIE);
          if (token != null) s.signOut(token, address, agent);
          resp.addHeader("Set-Cookie", SESSION_COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
          JsonEndpoint.send(resp, 200, Map.of("signedOut", true));
        }
        case "/enrol/state" -> JsonEndpoint.send(resp, 200, s.enrolment(JsonEndpoint.required(JsonEndpoint.body(req), "secret")));
        case "/enrol/password" -> {
          JsonObject b = JsonEndpoint.body(req);
          s.enrolPassword(JsonEndpoint.required(b, "secret"), chars(JsonEndpoint.required(b, "password")), address, agent);
          JsonEndpoint.send(resp, 200, s.enrolment(JsonEndpoint.required(b, "secret")));
        }
        case "/enrol/webauthn/options" -> raw(resp, s.enrolWebauthnOptions(JsonEndpoint.required(JsonEndpoint.body(req), "secret")));
        case "/enrol/webauthn" -> {
          JsonObject b = JsonEndpoint.body(req);
          JsonEndpoint.send(resp, 200, s.enrolWebauthn(JsonEndpoint.required(b, "secret"), JsonEndpoint.required(b, "credential"), address, agent));
        }
        case "/enrol/totp" -> JsonEndpoint.send(resp, 200, s.enrolTotp(JsonEndpoint.required(JsonEndpoint.body(req), "secret")));
        case "/enrol/totp/confirm" -> {
          JsonObject b = JsonEndpoint.body(req);
          JsonEndpoint.send(resp, 200, s.confirmTotp(JsonEndpoint.required(b, "secret"), JsonEndpoint.required(b, "code"), address, agent));
        }
        default -> JsonEndpoint.send(resp, 404, Map.of("error", "NOT_FOUND", "message", "no such endpoint under /auth"));
      }
    } catch (WardException e) {
      if (Failure.of(e, false).status() >= 500) LOG.warn("auth request failed: path={} code={}", path, e.code());
      JsonEndpoint.fail(resp, e);
    } catch (RuntimeException e) {
      LOG.warn("auth request failed: path={} exception={}", path, e.getClass().getName());
      JsonEndpoint.send(resp, 500, Map.of("error", "INTERNAL", "message", "the request failed; nothing was changed"));
    }
  }

  private void token(HttpServletRequest req, HttpServletResponse resp, String address, String agent) throws IOException {
    String type = req.getContentType();
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      oauthError(resp, 400, "invalid_request", "send a form-encoded body");
      return;
    }
    if (!"client_credentials".equals(req.getParameter("grant_type"))) {
      oauthError(resp, 400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
      return;
    }
    String id = req.getParameter("client_id");
    String secret = req.getParameter("client_secret");
    String basic = req.getHeader("Authorization");
    if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String pair = new String(Base64.getDecoder().decode(basic.substring(6).strip()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon > 0) {
          id = java.net.URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
          secret = java.net.URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
        }
      } catch (IllegalArgumentException e) {
        oauthError(resp, 401, "invalid_client", "malformed Basic credentials");
        return;
      }
    }
    try {
      Clients.AccessToken t = identity.clients().token(id, secret, req.getParameter("scope"), address, agent);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("access_token", t.token().reveal());
      out.put("token_type", "Bearer");
      out.put("expires_in", t.expiresIn().toSeconds());
      out.put("scope", t.scopes().toString());
      JsonEndpoint.send(resp, 200, out);
    } catch (WardException.Unauthenticated e) {
      resp.setHeader("WWW-Authenticate", "Basic realm=\"ward\"");
      oauthError(resp, 401, "invalid_client", "unknown client or wrong secret");
    } catch (WardException.Forbidden e) {
      oauthError(resp, 400, "invalid_scope", e.getMessage());
    } catch (WardException.InvalidRequest e) {
      oauthError(resp, 400, "invalid_scope", e.getMessage());
    } catch (WardException e) {
      JsonEndpoint.fail(resp, e);
    }
  }

  private static void oauthError(HttpServletResponse resp, int status, String error, String description) throws IOException {
    JsonEndpoint.send(resp, status, Map.of("error", error, "error_description", description));
  }

  private static void session(HttpServletResponse resp, SignIn.Session s) throws IOException {
    resp.addHeader("Set-Cookie", SESSION_COOKIE + "=" + s.token().reveal() + "; Path=/; Max-Age=" + s.lifetime().toSeconds()
        + "; Secure; HttpOnly; SameSite=Strict");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("access_token", s.token().reveal());
    out.put("token_type", "Bearer");
    out.put("expires_at", s.expires().toString());
    out.put("idle_timeout", s.idle().toSeconds());
    out.put("session", s.id());
    out.put("username", s.username());
    out.put("role", s.role().code());
    JsonEndpoint.send(resp, 200, out);
  }

  private static void raw(HttpServletResponse resp, String json) throws IOException {
    JsonEndpoint.noStore(resp);
    resp.setStatus(200);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
  }

  private static char[] chars(String s) {
    return s == null ? new char[0] : s.toCharArray();
  }

  static void checkCsrf(HttpServletRequest req) {
    String cookie = JsonEndpoint.cookie(req, CSRF_COOKIE);
    String header = req.getHeader(CSRF_HEADER);
    if (cookie == null || header == null || cookie.length() < 20
        || !MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8))) {
      throw new WardException.Forbidden("missing or wrong CSRF token: load the sign-in page first and send its " + CSRF_HEADER);
    }
  }
}
