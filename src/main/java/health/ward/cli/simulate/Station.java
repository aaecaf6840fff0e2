package health.ward.cli.simulate;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One workstation (or an attacker's machine) talking to Ward over HTTPS: its own source address on
 * the loopback network (127.x.y.z), its own User-Agent, trusting only the server's certificate.
 */
final class Station {
  static final String FHIR_JSON = "application/fhir+json";
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" content=\"([^\"]+)\"");

  final String address;
  final String userAgent;
  private final HttpClient http;
  private final String base;

  Station(String base, X509Certificate serverCert, String address, String userAgent) {
    this.base = base;
    this.address = address;
    this.userAgent = userAgent;
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ward", serverCert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), new SecureRandom());
      this.http = HttpClient.newBuilder().sslContext(ssl).localAddress(InetAddress.getByName(address))
          .connectTimeout(Duration.ofSeconds(10)).build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up the simulated workstation " + address, e);
    }
  }

  HttpResponse<String> fhir(String method, String path, String token, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/fhir/" + path)).header("Accept", FHIR_JSON)
        .header("User-Agent", userAgent).timeout(Duration.ofSeconds(60));
    if (token != null) b.header("Authorization", "Bearer " + token);
    for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", FHIR_JSON);
    return send(b.build());
  }

  HttpResponse<String> admin(String method, String path, String token, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/admin/" + path)).header("User-Agent", userAgent)
        .header("Authorization", "Bearer " + token);
    b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) b.header("Content-Type", "application/json");
    return send(b.build());
  }

  /** Completes enrolment from a one-time link secret with a password and TOTP; returns the TOTP secret. */
  byte[] enrol(String link, String password, Instant now) {
    String csrf = csrf();
    expect(auth("enrol/password", csrf, "{\"secret\":\"" + link + "\",\"password\":\"" + password + "\"}"), "set a password");
    JsonObject totp = expect(auth("enrol/totp", csrf, "{\"secret\":\"" + link + "\"}"), "start TOTP enrolment");
    byte[] secret = base32(totp.get("secret").getAsString());
    expect(auth("enrol/totp/confirm", csrf, "{\"secret\":\"" + link + "\",\"code\":\"" + totp(secret, now, 0) + "\"}"),
        "confirm TOTP");
    return secret;
  }

  /** Signs in with password and TOTP at {@code now}; returns the session token, or null if refused. */
  String signIn(String username, String password, byte[] totpSecret, Instant now, int stepOffset) {
    String csrf = csrf();
    HttpResponse<String> step = auth("login", csrf, "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
    if (step.statusCode() != 200) return null;
    String ticket = JsonParser.parseString(step.body()).getAsJsonObject().get("ticket").getAsString();
    HttpResponse<String> session = auth("login/totp", csrf,
        "{\"ticket\":\"" + ticket + "\",\"code\":\"" + totp(totpSecret, now, stepOffset) + "\"}");
    if (session.statusCode() != 200) return null;
    return JsonParser.parseString(session.body()).getAsJsonObject().get("access_token").getAsString();
  }

  private String csrf() {
    HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/signin"))
        .header("User-Agent", userAgent).GET().build());
    Matcher m = CSRF.matcher(page.body());
    if (page.statusCode() != 200 || !m.find()) throw new IllegalStateException("the sign-in page has no CSRF token");
    return m.group(1);
  }

  private HttpResponse<String> auth(String path, String csrf, String json) {
    return send(HttpRequest.newBuilder(URI.create(base + "/auth/" + path))
        .header("Content-Type", "application/json").header("User-Agent", userAgent)
        .header("X-CSRF-Token", csrf).header("Cookie", "__Host-ward_csrf=" + csrf)
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  private static JsonObject expect(HttpResponse<String> r, String what) {
    if (r.statusCode() != 200) throw new IllegalStateException("could not " + what + ": HTTP " + r.statusCode() + " " + r.body());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("the request to Ward failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** An authenticator app's code (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) at {@code now}. */
  static String totp(byte[] secret, Instant now, int stepOffset) {
    try {
      long step = now.getEpochSecond() / 30 + stepOffset;
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
      int o = h[19] & 0xf;
      int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
      return String.format(Locale.ROOT, "%06d", bin % 1_000_000);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
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
}
