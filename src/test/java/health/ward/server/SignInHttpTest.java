package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import health.ward.access.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The front door over HTTP: guessing, lockout, rate limits, CSRF, replay, factor policy, revocation, audit. */
class SignInHttpTest {
  static final String PASSWORD = "correct horse battery staple";
  @TempDir Path dir;
  StaffFixture f;

  @AfterEach
  void stop() {
    if (f != null) f.close();
  }

  String login(String csrf, String user, String password) {
    return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
  }

  @Test
  void unknownUser_wrongPassword_andLockedAccount_allGetTheSameAnswer() throws Exception {
    f = StaffFixture.allTotp(dir);
    byte[] totp = f.enrol("clerk1", Role.CLERK, null, List.of(), PASSWORD);
    String csrf = f.csrf();
    var unknown = f.auth("login", csrf, login(csrf, "nobody", PASSWORD));
    var wrong = f.auth("login", csrf, login(csrf, "clerk1", "wrong password here"));
    assertEquals(401, unknown.statusCode());
    assertEquals(unknown.body(), wrong.body(), "no difference between an unknown user and a wrong password");
    for (int i = 0; i < 4; i++) f.auth("login", csrf, login(csrf, "clerk1", "wrong password " + i));
    var locked = f.auth("login", csrf, login(csrf, "clerk1", PASSWORD));
    assertEquals(401, locked.statusCode(), "five failures lock the account, even against the right password");
    assertEquals(unknown.body(), locked.body());
    assertTrue(f.identity.directory().find("clerk1").orElseThrow().lockedUntil() != null);
    f.identity.directory().enable(StaffFixture.OPERATOR, "clerk1");
    assertTrue(f.signIn("clerk1", PASSWORD, totp, 0).startsWith("ward_"), "an administrator clears the lock");
  }

  @Test
  void oneAddress_isThrottled() throws Exception {
    f = new StaffFixture(dir, EnumSet.of(Role.CLERK), 5);
    String csrf = f.csrf();
    for (int i = 0; i < 5; i++) assertEquals(401, f.auth("login", csrf, login(csrf, "x" + i, PASSWORD)).statusCode());
    var throttled = f.auth("login", csrf, login(csrf, "x", PASSWORD));
    assertEquals(429, throttled.statusCode(), throttled.body());
    assertEquals("60", throttled.headers().firstValue("Retry-After").orElse(""));
  }

  @Test
  void postsWithoutTheCsrfToken_areRefused() throws Exception {
    f = StaffFixture.allTotp(dir);
    String csrf = f.csrf();
    assertEquals(403, f.auth("login", null, login(null, "a", "b")).statusCode());
    var mismatched = f.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.base + "/auth/login"))
        .header("Content-Type", "application/json").header("Cookie", "__Host-ward_csrf=" + csrf)
        .header("X-CSRF-Token", csrf.substring(1) + "x").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(403, mismatched.statusCode());
    var page = f.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.base + "/signin")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.startsWith("__Host-"), cookie);
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("frame-ancestors 'none'"));
    assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElseThrow());
  }

  @Test
  void aTotpCode_isAcceptedOnce() throws Exception {
    f = StaffFixture.allTotp(dir);
    byte[] totp = f.enrol("clerk2", Role.CLERK, null, List.of(), PASSWORD);
    f.signIn("clerk2", PASSWORD, totp, 1);
    String csrf = f.csrf();
    String ticket = StaffFixture.json(f.auth("login", csrf, login(csrf, "clerk2", PASSWORD))).get("ticket").getAsString();
    var replay = f.auth("login/totp", csrf, "{\"ticket\":\"" + ticket + "\",\"code\":\"" + StaffFixture.totp(totp, 1) + "\"}");
    assertEquals(401, replay.statusCode(), "the same code (same step) a second time is refused");
  }

  @Test
  void clinicians_needWebAuthn_notTotp() throws Exception {
    f = new StaffFixture(dir, EnumSet.of(Role.CLERK, Role.AUDITOR));
    String secret = f.identity.directory().add(StaffFixture.OPERATOR,
        new health.ward.auth.StaffDirectory.NewUser("nurse1", "Nurse", Role.NURSE, null, List.of())).secret().reveal();
    String csrf = f.csrf();
    assertEquals(200, f.auth("enrol/password", csrf, "{\"secret\":\"" + secret + "\",\"password\":\"" + PASSWORD + "\"}").statusCode());
    var totp = f.auth("enrol/totp", csrf, "{\"secret\":\"" + secret + "\"}");
    assertEquals(403, totp.statusCode(), totp.body());
    var state = StaffFixture.json(f.auth("enrol/state", csrf, "{\"secret\":\"" + secret + "\"}"));
    assertEquals("[\"webauthn\"]", state.get("factors").toString());
    var signIn = f.auth("login", csrf, login(csrf, "nurse1", PASSWORD));
    assertEquals(401, signIn.statusCode(), "a password alone never signs anyone in");
  }

  @Test
  void revokedSessions_andDisabledAccounts_dieOnTheNextRequest_andEveryStepIsInTheLedger() throws Exception {
    f = StaffFixture.allTotp(dir);
    String admin = f.staff("admin1", Role.ADMINISTRATOR, null, List.of());
    byte[] clerkTotp = f.enrol("clerk3", Role.CLERK, null, List.of(), PASSWORD);
    String clerk = f.signIn("clerk3", PASSWORD, clerkTotp, -1);
    String auditor = f.staff("auditor1", Role.AUDITOR, null, List.of());
    assertEquals(200, f.fhir("GET", "Patient", clerk, null).statusCode());
    var sessions = f.admin("GET", "sessions", admin, null);
    assertEquals(200, sessions.statusCode(), sessions.body());
    long clerkSession = -1;
    for (var e : com.google.gson.JsonParser.parseString(sessions.body()).getAsJsonArray()) {
      if (e.getAsJsonObject().get("name").getAsString().equals("clerk3")) clerkSession = e.getAsJsonObject().get("id").getAsLong();
    }
    assertEquals(200, f.admin("DELETE", "sessions/" + clerkSession, admin, null).statusCode());
    assertEquals(401, f.fhir("GET", "Patient", clerk, null).statusCode(), "revoked by an administrator: dead at once");

    String again = f.signIn("clerk3", PASSWORD, clerkTotp, 0);
    assertEquals(200, f.fhir("GET", "Patient", again, null).statusCode());
    assertEquals(200, f.admin("POST", "users/clerk3/disable", admin, null).statusCode());
    assertEquals(401, f.fhir("GET", "Patient", again, null).statusCode(), "disabling an account ends its sessions at once");
    String csrf = f.csrf();
    assertEquals(401, f.auth("login", csrf, login(csrf, "clerk3", PASSWORD)).statusCode(), "and it cannot sign in");
    assertEquals(403, f.admin("POST", "users/admin1/disable", auditor, null).statusCode(), "an auditor administers nothing");
    for (String bad : List.of("{\"username\":\"x\",\"displayName\":\"X\",\"role\":\"nurse\",\"departments\":[1,{}]}",
        "{\"username\":\"x\",\"displayName\":\"X\",\"role\":\"nurse\",\"departments\":\"Organization/a\"}",
        "{\"username\":\"x\",\"displayName\":\"X\",\"role\":\"surgeon\"}", "{\"username\":\"Bad Name\",\"displayName\":\"X\",\"role\":\"nurse\"}",
        "not json", "[]")) {
      var r = f.admin("POST", "users", admin, bad);
      assertEquals(400, r.statusCode(), bad + " -> " + r.body());
      assertTrue(r.body().contains("\"error\":\"INVALID_REQUEST\""), r.body());
    }
    assertEquals(400, f.admin("DELETE", "sessions/abc", admin, null).statusCode());
    assertEquals(404, f.admin("GET", "nothing-here", admin, null).statusCode());
    assertEquals(401, f.admin("GET", "users", "ward_not-a-token", null).statusCode());
    assertEquals(400, f.auth("login", f.csrf(), "{\"username\": 5}").statusCode(), "a user name is a string");

    var log = f.fhir("GET", "AuditEvent?action=E&date=ge2020-01-01&_count=1000", auditor, null);
    assertEquals(200, log.statusCode(), log.body());
    Bundle b = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, log.body());
    List<String> seen = new ArrayList<>();
    for (var e : b.getEntry()) {
      AuditEvent ae = (AuditEvent) e.getResource();
      seen.add(ae.getSubtypeFirstRep().getCode() + ":" + (ae.getOutcome() == AuditEvent.AuditEventOutcome._0 ? "ok" : "refused"));
    }
    for (String expected : List.of("user-add:ok", "enrol-password:ok", "enrol-totp:ok", "enrol-complete:ok", "sign-in:ok",
        "sign-in:refused", "token-issue:ok", "token-revoke:ok", "user-disable:ok", "admin-list-sessions:ok", "admin:refused")) {
      assertTrue(seen.contains(expected), expected + " is in the ledger; saw " + seen);
    }
    assertFalse(log.body().contains(PASSWORD), "no password in the ledger");
  }
}
