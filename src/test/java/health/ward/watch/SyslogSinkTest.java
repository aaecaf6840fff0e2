package health.ward.watch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RFC 5424 messages byte for byte, and their delivery over UDP, octet-counted TCP and TLS to real sockets. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class SyslogSinkTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  static Alert alert(long id, Severity severity, String actorName, String explanation) {
    return new Alert(id, Instant.parse("2026-03-02T09:15:30.250Z"), "canary", severity, "user:7", actorName, "nurse", null,
        "10.0.0.5", null, explanation, Response.REVOKE, 1234, "open", null, null, 1);
  }

  static Alert alert(long id, String explanation) {
    return alert(id, Severity.CRITICAL, "nina", explanation);
  }

  @Test
  void format_isRfc5424ByteForByte() {
    byte[] expected = concat(
        ("<106>1 2026-03-02T09:15:30.250Z ward-01 ward - canary [alert@32473 id=\"17\" detector=\"canary\" severity=\"critical\""
            + " actor=\"user:7\" actorName=\"nina\" role=\"nurse\" address=\"10.0.0.5\" response=\"revoke\" ledgerIndex=\"1234\"] ")
            .getBytes(StandardCharsets.US_ASCII),
        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
        "opened a canary record, 3 times".getBytes(StandardCharsets.US_ASCII));
    Alert a = alert(17, "opened a canary record, 3 times");

    assertArrayEquals(expected, SyslogSink.format(a, "ward-01").getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(expected, SyslogSink.encode(a, "ward-01", SyslogSink.MAX_DATAGRAM));
  }

  @Test
  void format_escapesParamValues() {
    String m = SyslogSink.format(alert(1, Severity.LOW, "a \"b\" c\\d]e", "x"), "h");

    assertTrue(m.contains(" actorName=\"a \\\"b\\\" c\\\\d\\]e\" "), m);
  }

  @Test
  void format_omitsNullParams() {
    Alert full = new Alert(3, Instant.parse("2026-03-02T09:15:30Z"), "bulk-access", Severity.HIGH, "12", "batch", "system",
        "session:42", "10.0.0.9", "ab12", "read 900 records", Response.ALERT, 7, "open", null, null, 1);
    Alert sparse = new Alert(3, Instant.parse("2026-03-02T09:15:30Z"), "bulk-access", Severity.HIGH, "12", "batch", "system",
        null, null, null, "read 900 records", Response.ALERT, 7, "open", null, null, 1);

    assertEquals("<107>1 2026-03-02T09:15:30.000Z h ward - bulk-access [alert@32473 id=\"3\" detector=\"bulk-access\""
        + " severity=\"high\" actor=\"12\" actorName=\"batch\" role=\"system\" session=\"session:42\" address=\"10.0.0.9\""
        + " patient=\"ab12\" response=\"alert\" ledgerIndex=\"7\"] \uFEFFread 900 records", SyslogSink.format(full, "h"));
    assertEquals("<107>1 2026-03-02T09:15:30.000Z h ward - bulk-access [alert@32473 id=\"3\" detector=\"bulk-access\""
        + " severity=\"high\" actor=\"12\" actorName=\"batch\" role=\"system\" response=\"alert\" ledgerIndex=\"7\"]"
        + " \uFEFFread 900 records", SyslogSink.format(sparse, "h"));
  }

  @Test
  void format_priIsFacility13TimesEightPlusSeverity() {
    assertTrue(SyslogSink.format(alert(1, Severity.LOW, "n", "x"), "h").startsWith("<109>1 "));
    assertTrue(SyslogSink.format(alert(1, Severity.MEDIUM, "n", "x"), "h").startsWith("<108>1 "));
    assertTrue(SyslogSink.format(alert(1, Severity.HIGH, "n", "x"), "h").startsWith("<107>1 "));
    assertTrue(SyslogSink.format(alert(1, Severity.CRITICAL, "n", "x"), "h").startsWith("<106>1 "));
  }

  @Test
  void format_hostnameAndMsgId_arePrintableAsciiWithinTheirLimits() {
    Alert a = new Alert(1, Instant.parse("2026-03-02T09:15:30.250Z"), "a detector with spaces ünd a name over 32 chars",
        Severity.LOW, "u", "n", "r", null, null, null, "x", Response.ALERT, 1, "open", null, null, 1);

    String m = SyslogSink.format(a, "ward host\n01");

    assertTrue(m.startsWith("<109>1 2026-03-02T09:15:30.250Z wardhost01 ward - adetectorwithspacesndanameover32 [alert@32473 "), m);
    assertTrue(SyslogSink.format(a, " ").startsWith("<109>1 2026-03-02T09:15:30.250Z - ward - "), "a blank host name is nil");
  }

  @Test
  void deliver_udp_sendsTheMessageAsOneDatagram() throws Exception {
    try (DatagramSocket siem = new DatagramSocket(0, LOOPBACK);
        SyslogSink sink = new SyslogSink(URI.create("udp://127.0.0.1:" + siem.getLocalPort()), "ward-01")) {
      siem.setSoTimeout(2_000);
      Alert a = alert(1, "opened a canary record");

      sink.deliver(a);

      DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
      siem.receive(p);
      assertArrayEquals(SyslogSink.format(a, "ward-01").getBytes(StandardCharsets.UTF_8),
          java.util.Arrays.copyOf(p.getData(), p.getLength()));
    }
  }

  @Test
  void deliver_udpLongExplanation_isCutOnACharacterBoundaryTo8KiB() throws Exception {
    try (DatagramSocket siem = new DatagramSocket(0, LOOPBACK);
        SyslogSink sink = new SyslogSink(URI.create("udp://127.0.0.1:" + siem.getLocalPort()), "ward-01")) {
      siem.setSoTimeout(2_000);
      Alert a = alert(1, "é".repeat(6_000));

      sink.deliver(a);

      DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
      siem.receive(p);
      assertTrue(p.getLength() <= 8_192 && p.getLength() > 8_180, "length " + p.getLength());
      String got = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(p.getData(), 0, p.getLength())).toString();
      String header = SyslogSink.format(alert(1, ""), "ward-01");
      assertTrue(got.startsWith(header + "éé"), got.substring(0, 200));
      assertTrue(got.endsWith("é…"), got.substring(got.length() - 20));
    }
  }

  @Test
  void deliver_tcp_framesEachMessageByOctetCount() throws Exception {
    try (ServerSocket siem = new ServerSocket(0, 5, LOOPBACK);
        SyslogSink sink = new SyslogSink(URI.create("tcp://127.0.0.1:" + siem.getLocalPort()), "ward-01")) {
      siem.setSoTimeout(2_000);
      Alert first = alert(1, "first, with ü");
      Alert second = alert(2, "second");

      sink.deliver(first);
      sink.deliver(second);

      try (Socket s = siem.accept()) {
        s.setSoTimeout(2_000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        assertArrayEquals(SyslogSink.format(first, "ward-01").getBytes(StandardCharsets.UTF_8), frame(in));
        assertArrayEquals(SyslogSink.format(second, "ward-01").getBytes(StandardCharsets.UTF_8), frame(in));
      }
    }
  }

  @Test
  void deliver_tcpAfterTheCollectorClosesTheConnection_reconnects() throws Exception {
    try (ServerSocket siem = new ServerSocket(0, 5, LOOPBACK);
        SyslogSink sink = new SyslogSink(URI.create("tcp://127.0.0.1:" + siem.getLocalPort()), "h")) {
      siem.setSoTimeout(2_000);
      sink.deliver(alert(1, "before"));
      try (Socket s = siem.accept()) {
        s.setSoTimeout(2_000);
        assertTrue(new String(frame(new DataInputStream(s.getInputStream())), StandardCharsets.UTF_8).endsWith("before"));
      }

      sink.deliver(alert(2, "after"));

      try (Socket s = siem.accept()) {
        s.setSoTimeout(2_000);
        assertTrue(new String(frame(new DataInputStream(s.getInputStream())), StandardCharsets.UTF_8).endsWith("after"));
      }
    }
  }

  @Test
  void deliver_tcpCollectorDown_throws() throws Exception {
    int port;
    try (ServerSocket gone = new ServerSocket(0, 1, LOOPBACK)) {
      port = gone.getLocalPort();
    }
    try (SyslogSink sink = new SyslogSink(URI.create("tcp://127.0.0.1:" + port), "h")) {
      assertThrows(IOException.class, () -> sink.deliver(alert(1, "x")));
    }
  }

  @Test
  void deliver_afterClose_throws() throws Exception {
    try (DatagramSocket siem = new DatagramSocket(0, LOOPBACK)) {
      SyslogSink sink = new SyslogSink(URI.create("udp://127.0.0.1:" + siem.getLocalPort()), "h");
      sink.close();
      assertThrows(IOException.class, () -> sink.deliver(alert(1, "x")));
    }
  }

  @Test
  void deliver_tls_framesOverOneAuthenticatedConnection() throws Exception {
    Tls tls = Tls.forName(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    try (SSLServerSocket siem = (SSLServerSocket) tls.server.getServerSocketFactory().createServerSocket(0, 5, LOOPBACK);
        SyslogSink sink = new SyslogSink(URI.create("tls://127.0.0.1:" + siem.getLocalPort()), "ward-01", tls.client)) {
      siem.setSoTimeout(2_000);
      CompletableFuture<List<byte[]>> received = CompletableFuture.supplyAsync(() -> {
        try (Socket s = siem.accept()) {
          s.setSoTimeout(2_000);
          DataInputStream in = new DataInputStream(s.getInputStream());
          List<byte[]> frames = List.of(frame(in), frame(in));
          // Closing waits up to the read timeout for the client's close_notify, which it sends only when closed.
          s.setSoTimeout(50);
          return frames;
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      Alert first = alert(1, "first");
      Alert second = alert(2, "second");

      sink.deliver(first);
      sink.deliver(second);

      List<byte[]> frames = received.get(3, TimeUnit.SECONDS);
      assertArrayEquals(SyslogSink.format(first, "ward-01").getBytes(StandardCharsets.UTF_8), frames.get(0));
      assertArrayEquals(SyslogSink.format(second, "ward-01").getBytes(StandardCharsets.UTF_8), frames.get(1));
    }
  }

  @Test
  void deliver_tlsCertificateForAnotherName_throws() throws Exception {
    Tls tls = Tls.forName(new GeneralName(GeneralName.dNSName, "siem.example.org"));
    try (SSLServerSocket siem = (SSLServerSocket) tls.server.getServerSocketFactory().createServerSocket(0, 5, LOOPBACK);
        SyslogSink sink = new SyslogSink(URI.create("tls://127.0.0.1:" + siem.getLocalPort()), "h", tls.client)) {
      siem.setSoTimeout(2_000);
      CompletableFuture.runAsync(() -> {
        try (Socket s = siem.accept()) {
          s.setSoTimeout(2_000);
          s.getInputStream().read();
        } catch (IOException expected) {
          // The client refuses the certificate and hangs up.
        }
      });

      assertThrows(SSLException.class, () -> sink.deliver(alert(1, "x")));
    }
  }

  @Test
  void new_badTarget_isRefusedWithTheFormsThatWork() {
    for (String bad : List.of("http://siem:514", "siem:514", "udp://siem", "tcp://:514", "tls://siem:0", "udp://siem:99999",
        "tcp://siem:514/path", "udp://user@siem:514", "tcp://siem:514?x=1")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new SyslogSink(URI.create(bad), "h"), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    IllegalArgumentException scheme =
        assertThrows(IllegalArgumentException.class, () -> new SyslogSink(URI.create("http://siem:514"), "h"));
    assertEquals("syslog target 'http://siem:514' must be udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT", scheme.getMessage());
  }

  @Test
  void describe_namesTransportHostAndPort() {
    assertEquals("syslog udp://siem:514", new SyslogSink(URI.create("udp://siem:514"), "h").describe());
    assertEquals("syslog tcp://siem:601", new SyslogSink(URI.create("TCP://siem:601/"), "h").describe());
  }

  /** Reads one RFC 6587 octet-counted frame: decimal length, a space, that many octets. */
  static byte[] frame(DataInputStream in) throws IOException {
    ByteArrayOutputStream length = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != ' ') {
      if (c < '0' || c > '9') throw new IOException("not an octet count: " + c);
      length.write(c);
    }
    byte[] message = new byte[Integer.parseInt(length.toString(StandardCharsets.US_ASCII))];
    in.readFully(message);
    return message;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  /** A collector's self-signed certificate for one name, and a client context that trusts only it. */
  private record Tls(SSLContext server, SSLContext client) {
    static Tls forName(GeneralName name) throws Exception {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(256);
      KeyPair keys = g.generateKeyPair();
      X500Name subject = new X500Name("CN=siem");
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE,
          Date.from(Instant.parse("2000-01-01T00:00:00Z")), Date.from(Instant.parse("2100-01-01T00:00:00Z")), subject,
          keys.getPublic());
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(name));
      X509Certificate cert = new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      char[] password = "test".toCharArray();
      KeyStore serverStore = KeyStore.getInstance("PKCS12");
      serverStore.load(null, null);
      serverStore.setKeyEntry("siem", keys.getPrivate(), password, new X509Certificate[] {cert});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(serverStore, password);
      SSLContext server = SSLContext.getInstance("TLS");
      server.init(kmf.getKeyManagers(), null, null);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("siem", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext client = SSLContext.getInstance("TLS");
      client.init(null, tmf.getTrustManagers(), null);
      return new Tls(server, client);
    }
  }
}
