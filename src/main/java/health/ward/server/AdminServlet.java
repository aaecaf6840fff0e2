package health.ward.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.auth.Admin;
import health.ward.auth.Enrolment;
import health.ward.auth.Identity;
import health.ward.auth.StaffDirectory;
import health.ward.common.WardException;
import health.ward.records.RecordsService;
import health.ward.records.RequestContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administration API at {@code /admin} (JSON, bearer token of a staff session):
 *
 * <ul>
 *   <li>{@code GET /admin/users}; {@code POST /admin/users} {@code {username, displayName, role,
 *       practitioner?, departments?}} → the enrolment link; {@code POST
 *       /admin/users/{name}/disable|enable|reenrol};
 *   <li>{@code GET /admin/sessions}; {@code DELETE /admin/sessions/{id}} (revokes at once);
 *   <li>{@code POST /admin/clients} {@code {name, scope}} → client id and secret (once);
 *       {@code POST /admin/clients/{name}/disable};
 *   <li>{@code GET /admin/break-glass[?status=open]}; {@code POST /admin/break-glass/{id}/review}
 *       {@code {verdict: justified|unjustified}} (security officers);
 *   <li>{@code GET /admin/alerts[?status=open|acknowledged|closed]}; {@code POST
 *       /admin/alerts/{id}/acknowledge}; {@code POST /admin/alerts/{id}/close} {@code {verdict:
 *       true-positive|false-positive|benign}} (security officers);
 *   <li>{@code GET /admin/flags}; {@code POST|DELETE /admin/flags} {@code {patient, flag:
 *       canary|vip|staff, note?}}; {@code POST /admin/canaries} {@code {count}} → the new canary
 *       patients (security officers).
 * </ul>
 *
 * Who may do what is {@link Admin}'s table; every call and every refusal is a ledger entry.
 */
final class AdminServlet extends HttpServlet {
  static final String PATH = "/admin";
  private static final Logger LOG = LoggerFactory.getLogger(AdminServlet.class);

  private final transient Identity identity;
  private final transient RecordsService records;

  AdminServlet(Identity identity, RecordsService records) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.records = Objects.requireNonNull(records, "records");
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    String[] p = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
    String method = req.getMethod();
    try {
      Principal who = identity.tokens().authenticate(JsonEndpoint.bearer(req));
      RequestContext ctx = new RequestContext(who, req.getRemoteAddr(), req.getHeader("User-Agent"));
      Admin admin = identity.admin();
      String route = method + " " + (p.length == 0 ? "" : p[0]) + (p.length == 3 ? "/*/" + p[2] : p.length == 2 ? "/*" : "");
      switch (route) {
        case "GET users" -> JsonEndpoint.send(resp, 200, admin.users(ctx));
        case "POST users" -> {
          JsonObject b = JsonEndpoint.body(req);
          Role role;
          try {
            role = Role.of(JsonEndpoint.required(b, "role"));
          } catch (IllegalArgumentException e) {
            throw new WardException.InvalidRequest(e.getMessage());
          }
          List<String> departments = new ArrayList<>();
          JsonElement d = b.get("departments");
          if (d != null && !d.isJsonNull()) {
            if (!d.isJsonArray()) throw new WardException.InvalidRequest("'departments' must be an array of references");
            for (JsonElement e : (JsonArray) d) {
              if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new WardException.InvalidRequest("'departments' must be an array of references such as \"Organization/cardiology\"");
              }
              departments.add(e.getAsString());
            }
          }
          Enrolment en = admin.addUser(ctx, new StaffDirectory.NewUser(JsonEndpoint.required(b, "username"),
              JsonEndpoint.required(b, "displayName"), role, JsonEndpoint.string(b, "practitioner"), departments));
          JsonEndpoint.send(resp, 201, enrolment(en, base(req)));
        }
        case "POST users/*/disable" -> {
          admin.disableUser(ctx, p[1]);
          JsonEndpoint.send(resp, 200, Map.of("username", p[1], "status", "disabled"));
        }
        case "POST users/*/enable" -> {
          admin.enableUser(ctx, p[1]);
          JsonEndpoint.send(resp, 200, Map.of("username", p[1], "status", "enabled"));
        }
        case "POST users/*/reenrol" -> JsonEndpoint.send(resp, 200, enrolment(admin.reenrolUser(ctx, p[1]), base(req)));
        case "GET sessions" -> JsonEndpoint.send(resp, 200, admin.sessions(ctx));
        case "DELETE sessions/*" -> {
          admin.revokeSession(ctx, number(p[1]));
          JsonEndpoint.send(resp, 200, Map.of("session", p[1], "revoked", true));
        }
        case "POST clients" -> {
          JsonObject b = JsonEndpoint.body(req);
          var c = admin.registerClient(ctx, JsonEndpoint.required(b, "name"), JsonEndpoint.required(b, "scope"));
          JsonEndpoint.send(resp, 201, Map.of("client_id", c.clientId(), "client_secret", c.secret().reveal(), "scope", c.scopes().toString()));
        }
        case "POST clients/*/disable" -> {
          admin.disableClient(ctx, p[1]);
          JsonEndpoint.send(resp, 200, Map.of("client_id", p[1], "disabled", true));
        }
        case "GET break-glass" -> JsonEndpoint.send(resp, 200, records.emergencyGrants(ctx, "open".equals(req.getParameter("status"))));
        case "POST break-glass/*/review" -> {
          JsonObject b = JsonEndpoint.body(req);
          JsonEndpoint.send(resp, 200, records.reviewEmergency(ctx, number(p[1]), JsonEndpoint.required(b, "verdict")));
        }
        case "GET alerts" -> JsonEndpoint.send(resp, 200, records.alerts(ctx, req.getParameter("status")));
        case "POST alerts/*/acknowledge" -> JsonEndpoint.send(resp, 200, records.acknowledgeAlert(ctx, number(p[1])));
        case "POST alerts/*/close" -> {
          JsonObject b = JsonEndpoint.body(req);
          JsonEndpoint.send(resp, 200, records.closeAlert(ctx, number(p[1]), JsonEndpoint.required(b, "verdict")));
        }
        case "GET flags" -> JsonEndpoint.send(resp, 200, records.flags(ctx));
        case "POST flags", "DELETE flags" -> {
          JsonObject b = JsonEndpoint.body(req);
          String patient = JsonEndpoint.required(b, "patient");
          if (patient.startsWith("Patient/")) patient = patient.substring("Patient/".length());
          String flag = JsonEndpoint.required(b, "flag");
          boolean changed = records.flagPatient(ctx, patient, flag, JsonEndpoint.string(b, "note"), method.equals("POST"));
          JsonEndpoint.send(resp, 200, Map.of("patient", "Patient/" + patient, "flag", flag, "changed", changed));
        }
        case "POST canaries" -> {
          JsonObject b = JsonEndpoint.body(req);
          int count;
          try {
            count = b.has("count") ? b.get("count").getAsInt() : 1;
          } catch (RuntimeException e) {
            throw new WardException.InvalidRequest("'count' must be a number");
          }
          List<String> made = records.createCanaries(ctx, count);
          JsonEndpoint.send(resp, 201, Map.of("patients", made.stream().map(id -> "Patient/" + id).toList()));
        }
        default -> JsonEndpoint.send(resp, 404, Map.of("error", "NOT_FOUND", "message", "no such administration endpoint: " + method + " " + PATH + path));
      }
    } catch (WardException.Unauthenticated e) {
      resp.setHeader("WWW-Authenticate", "Bearer");
      JsonEndpoint.send(resp, 401, Map.of("error", "UNAUTHENTICATED", "message", "send Authorization: Bearer <session token>"));
    } catch (WardException e) {
      if (Failure.of(e, false).status() >= 500) LOG.warn("admin request failed: code={}", e.code());
      JsonEndpoint.fail(resp, e);
    } catch (RuntimeException e) {
      LOG.warn("admin request failed: exception={}", e.getClass().getName());
      JsonEndpoint.send(resp, 500, Map.of("error", "INTERNAL", "message", "the request failed"));
    }
  }

  // The address the administrator reached Ward at is the one the new user will use.
  private static String base(HttpServletRequest req) {
    return req.getScheme() + "://" + req.getServerName() + ":" + req.getServerPort();
  }

  private static Map<String, Object> enrolment(Enrolment en, String base) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("username", en.username());
    out.put("enrolmentLink", en.link(base));
    out.put("expires", en.expires().toString());
    return out;
  }

  private static long number(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new WardException.InvalidRequest("'" + (s.length() > 20 ? s.substring(0, 20) : s) + "' is not a number");
    }
  }
}
