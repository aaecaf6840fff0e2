package health.ward.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The webhook against a real HTTP receiver on a free port: the JSON it posts, its signature, and failures. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class WebhookSinkTest {
  private static final byte[] SECRET = "a shared secret of enough length".getBytes(StandardCharsets.UTF_8);

  /** What the receiver got: method, content type, signature header, body. */
  record Received(String method, String contentType, String signature, byte[] body) {}

  private HttpServer receiver;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger status = new AtomicInteger(204);

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      received.add(new Received(ex.getRequestMethod(), ex.getRequestHeaders().getFirst("Content-Type"),
          ex.getRequestHeaders().getFirst("X-Ward-Signature"), body));
      if (status.get() / 100 == 3) ex.getResponseHeaders().add("Location", url("/elsewhere").toString());
      ex.sendResponseHeaders(status.get(), -1);
      ex.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + path);
  }

  static Alert alert(long id) {
    return new Alert(id, Instant.parse("2026-03-02T09:15:30.250Z"), "canary", Severity.CRITICAL, "user:7", "nina \"the\" nurse",
        "nurse", "session:42", "10.0.0.5", null, "opened a canary record <b>", Response.REVOKE, 1234, "open", null, null, 1);
  }

  @Test
  void deliver_postsTheAlertAsJson() throws Exception {
    new WebhookSink(url("/hook"), null).deliver(alert(17));

    assertEquals(1, received.size());
    Received r = received.get(0);
    assertEquals("POST", r.method());
    assertEquals("application/json; charset=utf-8", r.contentType());
    JsonObject json = JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals(17, json.get("id").getAsLong());
    assertEquals("2026-03-02T09:15:30.250Z", json.get("at").getAsString());
    assertEquals("canary", json.get("detector").getAsString());
    assertEquals("critical", json.get("severity").getAsString());
    assertEquals("user:7", json.get("actor").getAsString());
    assertEquals("nina \"the\" nurse", json.get("actorName").getAsString());
    assertEquals("nurse", json.get("role").getAsString());
    assertEquals("session:42", json.get("session").getAsString());
    assertEquals("10.0.0.5", json.get("address").getAsString());
    assertTrue(json.get("patient").isJsonNull(), "an absent value is JSON null");
    assertEquals("opened a canary record <b>", json.get("explanation").getAsString());
    assertEquals("revoke", json.get("response").getAsString());
    assertEquals(1234, json.get("ledgerIndex").getAsLong());
    assertEquals("open", json.get("status").getAsString());
    assertEquals(14, json.size(), json.toString());
  }

  @Test
  void deliver_withSecret_signsTheExactBodyBytes() throws Exception {
    new WebhookSink(url("/hook"), SECRET).deliver(alert(5));

    Received r = received.get(0);
    assertTrue(r.signature().startsWith("sha256="), r.signature());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
    byte[] expected = mac.doFinal(r.body());
    byte[] got = HexFormat.of().parseHex(r.signature().substring("sha256=".length()));
    assertTrue(MessageDigest.isEqual(expected, got), "the receiver verifies the signature");
  }

  @Test
  void deliver_withAnotherSecret_failsTheReceiversCheck() throws Exception {
    new WebhookSink(url("/hook"), "not the shared secret at all".getBytes(StandardCharsets.UTF_8)).deliver(alert(5));

    Received r = received.get(0);
    byte[] expected = WebhookSink.hmac(SECRET, r.body());
    byte[] got = HexFormat.of().parseHex(r.signature().substring("sha256=".length()));
    assertTrue(!MessageDigest.isEqual(expected, got));
  }

  @Test
  void deliver_withoutSecret_sendsNoSignature() throws Exception {
    new WebhookSink(url("/hook"), null).deliver(alert(5));

    assertNull(received.get(0).signature());
  }

  @Test
  void deliver_non2xx_throws() {
    WebhookSink sink = new WebhookSink(url("/hook"), SECRET);
    for (int code : new int[] {500, 503, 404, 401}) {
      status.set(code);
      IOException e = assertThrows(IOException.class, () -> sink.deliver(alert(6)));
      assertTrue(e.getMessage().contains("HTTP " + code), e.getMessage());
    }
  }

  @Test
  void deliver_redirect_throwsAndIsNotFollowed() {
    status.set(302);
    WebhookSink sink = new WebhookSink(url("/hook"), SECRET);

    assertThrows(IOException.class, () -> sink.deliver(alert(6)));
    assertEquals(1, received.size(), "nothing went to the redirect target");
  }

  @Test
  void deliver_receiverDown_throws() throws Exception {
    int port;
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = gone.getLocalPort();
    }
    WebhookSink sink = new WebhookSink(URI.create("http://127.0.0.1:" + port + "/hook"), null);

    assertThrows(IOException.class, () -> sink.deliver(alert(1)));
  }

  @Test
  void new_badUrl_isRefused() {
    for (String bad : List.of("ftp://host/x", "/relative/hook", "https:///no-host", "mailto:so@example.org")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WebhookSink(URI.create(bad), null), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new WebhookSink(URI.create("https://hooks.example.org/x"), new byte[0]));
  }

  @Test
  void describe_leavesOutPathAndQuery() {
    assertEquals("webhook https://hooks.example.org",
        new WebhookSink(URI.create("https://hooks.example.org/T0/secret-token?key=1"), null).describe());
    assertEquals("webhook http://10.0.0.3:8080", new WebhookSink(URI.create("http://10.0.0.3:8080/hook"), null).describe());
  }
}
