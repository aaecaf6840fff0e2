package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.auth.Identity;
import health.ward.auth.SignIn;
import health.ward.auth.StaffDirectory;
import health.ward.cli.TestApps;
import health.ward.cli.WardApp;
import health.ward.records.RequestContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real Ward with staff sign-in on plain HTTP at localhost (a port of its own), and the steps a
 * person takes: enrol through the enrolment endpoints with a password and TOTP, then sign in. TOTP
 * codes are computed here from RFC 6238 independently of Ward's own code.
 */
final class StaffFixture implements AutoCloseable {
  static final String FHIR_JSON = "application/fhir+json";
  static final RequestContext OPERATOR = RequestContext.local(Principal.operator("test"));

  final WardApp app;
  final Identity identity;
  final FhirServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final String base;

  StaffFixture(Path dir, Set<Role> totpRoles) {
    this(dir, totpRoles, 1000);
  }

  StaffFixture(Path dir, Set<Role> totpRoles, int attemptsPerAddress) {
    app = TestApps.open(dir);
    int port = freePort();
    base = "http://localhost:" + port;
    identity = app.identity(new SignIn.Settings(Duration.ofMinutes(15), Duration.ofHours(12), totpRoles, "localhost",
        Set.of(base), attemptsPerAddress));
    server = new FhirServer(app.records(), app.transparency(), identity, ServerConfig.plainHttp().withPort(port)).start();
  }

  static StaffFixture allTotp(Path dir) {
    return new StaffFixture(dir, EnumSet.of(Role.PHYSICIAN, Role.NURSE, Role.CLERK, Role.SECURITY_OFFICER, Role.AUDITOR, Role.ADMINISTRATOR));
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A page load: the CSRF value the page embeds (also set as its cookie). */
  String csrf() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/signin")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    Matcher m = Pattern.compile("name=\"csrf\" content=\"([^\"]+)\"").matcher(page.body());
    if (!m.find()) throw new AssertionError("no CSRF token on the page");
    return m.group(1);
  }

  HttpResponse<String> auth(String path, String csrf, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/auth/" + path))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(json));
    if (csrf != null) b.header("X-CSRF-Token", csrf).header("Cookie", "__Host-ward_csrf=" + csrf);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject json(HttpResponse<String> r) {
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  /** Adds a user (operator) and completes enrolment over HTTP with a password and TOTP; returns the TOTP secret. */
  byte[] enrol(String username, Role role, String practitioner, List<String> departments, String password) throws Exception {
    String link = identity.directory().add(OPERATOR,
        new StaffDirectory.NewUser(username, "Test " + username, role, practitioner, departments)).secret().reveal();
    String csrf = csrf();
    var pw = auth("enrol/password", csrf, "{\"secret\":\"" + link + "\",\"password\":\"" + password + "\"}");
    assertEquals(200, pw.statusCode(), pw.body());
    var totp = auth("enrol/totp", csrf, "{\"secret\":\"" + link + "\"}");
    assertEquals(200, totp.statusCode(), totp.body());
    byte[] secret = base32(json(totp).get("secret").getAsString());
    var done = auth("enrol/totp/confirm", csrf, "{\"secret\":\"" + link + "\",\"code\":\"" + totp(secret, 0) + "\"}");
    assertEquals(200, done.statusCode(), done.body());
    assertEquals(true, json(done).get("done").getAsBoolean());
    return secret;
  }

  /** Signs in with password and a TOTP code {@code stepOffset} steps from now; returns the session token. */
  String signIn(String username, String password, byte[] totpSecret, int stepOffset) throws Exception {
    String csrf = csrf();
    var step = auth("login", csrf, "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
    assertEquals(200, step.statusCode(), step.body());
    String ticket = json(step).get("ticket").getAsString();
    var session = auth("login/totp", csrf, "{\"ticket\":\"" + ticket + "\",\"code\":\"" + totp(totpSecret, stepOffset) + "\"}");
    assertEquals(200, session.statusCode(), session.body());
    return json(session).get("access_token").getAsString();
  }

  /** A user enrolled and signed in: its session token. */
  String staff(String username, Role role, String practitioner, List<String> departments) throws Exception {
    String password = "correct horse battery staple";
    return signIn(username, password, enrol(username, role, practitioner, departments, password), 0);
  }

  HttpResponse<String> fhir(String method, String path, String token, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/fhir/" + path)).header("Accept", FHIR_JSON);
    if (token != null) b.header("Authorization", "Bearer " + token);
    for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", FHIR_JSON);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> admin(String method, String path, String token, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/admin/" + path));
    if (token != null) b.header("Authorization", "Bearer " + token);
    b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : BodyPublishers.ofString(json));
    if (json != null) b.header("Content-Type", "application/json");
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** RFC 6238: HMAC-SHA1, 30-second steps, 6 digits. */
  static String totp(byte[] secret, int stepOffset) throws Exception {
    long step = Instant.now().getEpochSecond() / 30 + stepOffset;
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secret, "HmacSHA1"));
    byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
    int o = h[19] & 0xf;
    int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
    return String.format(Locale.ROOT, "%06d", bin % 1_000_000);
  }

  static byte[] base32(String s) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int buffer = 0, bits = 0;
    for (char c : s.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    server.close();
    app.close();
  }
}
