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
import java.util.Locale;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An alert sink that POSTs each alert as a JSON object to an {@code https://} or {@code http://}
 * URL (a ticketing system, a chat channel's bridge).
 *
 * <p>Request layout:
 *
 * <pre>
 * POST url
 * Content-Type: application/json; charset=utf-8
 * X-Ward-Signature: sha256=HEX      only with a shared secret: lower-case hex HMAC-SHA256(secret, body)
 *
 * {"id":17,"at":"2026-03-02T09:15:30.250Z","detector":"canary","severity":"critical","actor":"user:7",
 *  "actorName":"…","role":"nurse","session":"session:42","address":"10.0.0.5","patient":null,
 *  "explanation":"…","response":"revoke","ledgerIndex":1234,"status":"open"}
 * </pre>
 *
 * {@code at} is ISO-8601 UTC; an absent value is JSON {@code null}; the body is UTF-8 and the
 * signature covers exactly its bytes, so a receiver verifies it before parsing (and compares in
 * constant time). The signature does not stop a replay; a receiver that cares keeps the ids it saw.
 *
 * <p>Failure modes: a connect or an answer taking more than 5 s, any I/O failure, and any answer
 * other than 2xx (redirects are not followed, so a signed alert never goes elsewhere) throw, so
 * that {@link AlertDelivery} retries. Over {@code http://} the alert crosses the network in clear:
 * use it only inside a trusted network.
 */
public final class WebhookSink implements AlertSink {
  static final String SIGNATURE_HEADER = "X-Ward-Signature";
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String HMAC = "HmacSHA256";

  private final URI url;
  private final byte[] secret;
  private final HttpClient http;
  private final boolean ownsClient;

  /**
   * A sink posting to {@code url}, signing with {@code secret} if it is not null.
   *
   * @throws IllegalArgumentException if {@code url} is not an absolute http(s) URL with a host, or
   *     the secret is empty
   */
  public WebhookSink(URI url, byte[] secret) {
    this(url, secret, HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build(), true);
  }

  /** As {@link #WebhookSink(URI, byte[])}, sending through {@code http}, which the caller closes. */
  WebhookSink(URI url, byte[] secret, HttpClient http) {
    this(url, secret, http, false);
  }

  private WebhookSink(URI url, byte[] secret, HttpClient http, boolean ownsClient) {
    Objects.requireNonNull(url, "url");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException("webhook '" + url + "' must be an https:// or http:// URL");
    }
    if (url.getHost() == null) throw new IllegalArgumentException("webhook '" + url + "' needs a host");
    if (secret != null && secret.length == 0) throw new IllegalArgumentException("webhook secret must not be empty");
    this.url = url;
    this.secret = secret == null ? null : secret.clone();
    this.http = Objects.requireNonNull(http, "http");
    this.ownsClient = ownsClient;
  }

  @Override
  public void deliver(Alert alert) throws IOException, InterruptedException {
    byte[] body = json(alert).getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder request = HttpRequest.newBuilder(url)
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("User-Agent", "Ward")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (secret != null) request.header(SIGNATURE_HEADER, signature(secret, body));
    HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(describe() + " answered HTTP " + response.statusCode());
    }
  }

  /** The JSON body for {@code a} (see the class comment). */
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
    // JsonElement.toString writes nulls and does not HTML-escape: the body is plain JSON.
    return o.toString();
  }

  /** The {@value #SIGNATURE_HEADER} value for {@code body}: {@code sha256=} and the hex HMAC-SHA256. */
  static String signature(byte[] secret, byte[] body) {
    return "sha256=" + HexFormat.of().formatHex(hmac(secret, body));
  }

  static byte[] hmac(byte[] key, byte[] body) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }

  /** {@code webhook} and the URL's scheme, host and port; never its path or query, which may hold a token. */
  @Override
  public String describe() {
    return "webhook " + url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
  }

  /** Stops the HTTP client this sink made, abandoning a request under way (it is retried by nobody: the delivery is closing). */
  @Override
  public void close() {
    if (ownsClient) http.shutdownNow();
  }
}
