package health.ward.watch;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Alerts POSTed as JSON to a URL (a ticketing system, a chat channel's bridge). With a shared
 * secret, each POST carries {@code X-Ward-Signature: sha256=<hex HMAC-SHA256 of the body>} so the
 * receiver can tell it came from Ward. A non-2xx answer or a network failure throws, for
 * {@link AlertDelivery} to retry.
 */
public final class WebhookSink implements AlertSink {
  private final URI url;
  private final byte[] secret;
  private final HttpClient http;

  public WebhookSink(URI url, byte[] secret) {
    this(url, secret, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  WebhookSink(URI url, byte[] secret, HttpClient http) {
    this.url = Objects.requireNonNull(url, "url");
    if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
      throw new IllegalArgumentException("a webhook is an http(s) URL, not '" + url + "'");
    }
    this.secret = secret == null ? null : secret.clone();
    this.http = Objects.requireNonNull(http, "http");
  }

  @Override
  public void deliver(Alert a) throws IOException, InterruptedException {
    byte[] body = json(a).getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json").header("User-Agent", "Ward")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (secret != null) b.header("X-Ward-Signature", "sha256=" + HexFormat.of().formatHex(hmac(secret, body)));
    HttpResponse<Void> r = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() / 100 != 2) throw new IOException("the webhook answered HTTP " + r.statusCode());
  }

  static String json(Alert a) {
    JsonObject o = new JsonObject();
    o.addProperty("id", a.id());
    o.addProperty("at", a.at().toString());
    o.addProperty("detector", a.detector());
    o.addProperty("severity", a.severity().code());
    o.addProperty("actor", a.actor());
    o.addProperty("actorName", a.actorName());
    o.addProperty("role", a.role());
    o.addProperty("session", a.session());
    o.addProperty("address", a.address());
    o.addProperty("patient", a.patient());
    o.addProperty("explanation", a.explanation());
    o.addProperty("response", a.response().code());
    o.addProperty("ledgerIndex", a.ledgerIndex());
    o.addProperty("status", a.status());
    return o.toString();
  }

  static byte[] hmac(byte[] key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }

  @Override
  public String describe() {
    return "webhook " + url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
  }
}
