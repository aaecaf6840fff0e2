package health.ward.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Syslog (RFC 5424 over UDP and octet-counted TCP), the webhook, and delivery with retries, against real sockets. */
class AlertSinksTest {
  static Alert alert(long id, String explanation) {
    return new Alert(id, Instant.parse("2026-03-02T09:15:30.250Z"), "canary", Severity.CRITICAL, "user:7", "nina \"the\" nurse]",
        "nurse", "session:42", "10.0.0.5", null, explanation, Response.REVOKE, 1234, "open", null, null, 1);
  }

  @Test
  void format_isRfc5424_withEscapedParams_andNullsLeftOut() {
    String m = SyslogSink.format(alert(17, "opened a canary record"), "ward-01");
    assertEquals("<106>1 2026-03-02T09:15:30.250Z ward-01 ward - canary [alert@32473 id=\"17\" detector=\"canary\""
        + " severity=\"critical\" actor=\"user:7\" actorName=\"nina \\\"the\\\" nurse\\]\" role=\"nurse\" session=\"session:42\""
        + " address=\"10.0.0.5\" response=\"revoke\" ledgerIndex=\"1234\"] \uFEFFopened a canary record", m);
  }

  @Test
  void udp_deliversOneDatagram() throws Exception {
    try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      receiver.setSoTimeout(5_000);
      SyslogSink sink = new SyslogSink(URI.create("udp://127.0.0.1:" + receiver.getLocalPort()), "ward-01");
      sink.deliver(alert(1, "x"));
      DatagramPacket p = new DatagramPacket(new byte[9000], 9000);
      receiver.receive(p);
      String got = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
      assertTrue(got.startsWith("<106>1 2026-03-02T09:15:30.250Z ward-01 ward - canary ["), got);
    }
  }

  @Test
  void tcp_framesByOctetCount_andReconnectsAfterTheCollectorDropsIt() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      SyslogSink sink = new SyslogSink(URI.create("tcp://127.0.0.1:" + server.getLocalPort()), "h");
      sink.deliver(alert(1, "first"));
      sink.deliver(alert(2, "second"));
      try (Socket s = server.accept()) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        assertTrue(frame(in).endsWith("first"));
        assertTrue(frame(in).endsWith("second"));
      }
      // The collector closed the connection: the next delivery fails or goes through a new one.
      boolean delivered = false;
      for (int i = 0; i < 3 && !delivered; i++) {
        try {
          sink.deliver(alert(3, "third"));
          delivered = true;
        } catch (java.io.IOException retry) {
          // AlertDelivery retries; so does this test.
        }
      }
      server.setSoTimeout(5_000);
      try (Socket s = server.accept()) {
        assertTrue(frame(new DataInputStream(s.getInputStream())).endsWith("third"));
      }
      sink.close();
    }
  }

  private static String frame(DataInputStream in) throws Exception {
    StringBuilder len = new StringBuilder();
    int c;
    while ((c = in.read()) != ' ') len.append((char) c);
    byte[] msg = new byte[Integer.parseInt(len.toString())];
    in.readFully(msg);
    return new String(msg, StandardCharsets.UTF_8);
  }

  @Test
  void badTargets_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SyslogSink(URI.create("http://siem:514"), "h"));
    assertThrows(IllegalArgumentException.class, () -> new SyslogSink(URI.create("udp://siem"), "h"));
    assertThrows(IllegalArgumentException.class, () -> new WebhookSink(URI.create("ftp://x/y"), null));
  }

  @Test
  void webhook_postsJsonSignedWithTheSharedSecret_andANon2xxThrows() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    List<String[]> got = new CopyOnWriteArrayList<>();
    AtomicInteger status = new AtomicInteger(204);
    server.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      got.add(new String[] {new String(body, StandardCharsets.UTF_8), ex.getRequestHeaders().getFirst("X-Ward-Signature")});
      ex.sendResponseHeaders(status.get(), -1);
      ex.close();
    });
    server.start();
    try {
      byte[] secret = "a shared secret of enough length".getBytes(StandardCharsets.UTF_8);
      WebhookSink sink = new WebhookSink(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"), secret);
      sink.deliver(alert(5, "opened a canary record"));
      var json = JsonParser.parseString(got.get(0)[0]).getAsJsonObject();
      assertEquals("canary", json.get("detector").getAsString());
      assertEquals("revoke", json.get("response").getAsString());
      assertEquals(5, json.get("id").getAsLong());
      String expected = "sha256=" + HexFormat.of().formatHex(WebhookSink.hmac(secret, got.get(0)[0].getBytes(StandardCharsets.UTF_8)));
      assertEquals(expected, got.get(0)[1]);
      status.set(500);
      assertThrows(java.io.IOException.class, () -> sink.deliver(alert(6, "x")));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void delivery_retriesAFailingSinkUntilItTakesTheAlert() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<Long> delivered = new CopyOnWriteArrayList<>();
    AlertSink flaky = new AlertSink() {
      @Override
      public void deliver(Alert a) throws Exception {
        if (calls.incrementAndGet() <= 2) throw new java.io.IOException("collector down");
        delivered.add(a.id());
      }

      @Override
      public String describe() {
        return "flaky";
      }
    };
    try (AlertDelivery d = new AlertDelivery(List.of(flaky), Clock.systemUTC(), Duration.ofMillis(20))) {
      d.submit(alert(1, "a"));
      d.submit(alert(2, "b"));
      assertTrue(d.awaitDelivered(Duration.ofSeconds(5)), "pending: " + d.pending());
      assertEquals(List.of(1L, 2L), delivered, "in order, none lost");
      assertEquals(4, calls.get());
      assertFalse(d.pending() > 0);
    }
  }
}
