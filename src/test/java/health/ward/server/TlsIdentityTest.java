package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.cli.TestApps;
import health.ward.cli.WardApp;
import health.ward.common.WardException;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsIdentityTest {
  static final List<String> NAMES = List.of("localhost", "127.0.0.1", "::1");
  static final Clock NOW = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void selfSigned_firstStart_writesCertAndOwnerOnlyKey() throws Exception {
    TlsIdentity id = TlsIdentity.selfSigned(dir.resolve("tls"), NAMES, NOW, new SecureRandom());
    Path key = dir.resolve("tls").resolve(TlsIdentity.KEY_FILE);
    assertTrue(Files.isRegularFile(dir.resolve("tls").resolve(TlsIdentity.CERT_FILE)));
    assertEquals(Set.copyOf(PosixFilePermissions.fromString("rw-------")), Files.getPosixFilePermissions(key));
    assertEquals("EC", id.certificate().getPublicKey().getAlgorithm());
    var sans = id.certificate().getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList();
    assertTrue(sans.contains("localhost") && sans.contains("127.0.0.1"), sans.toString());
  }

  @Test
  void selfSigned_secondStart_reusesTheSameCertificate() throws Exception {
    X509Certificate first = TlsIdentity.selfSigned(dir, NAMES, NOW, new SecureRandom()).certificate();
    X509Certificate second =
        TlsIdentity.selfSigned(dir, NAMES, Clock.offset(NOW, Duration.ofDays(30)), new SecureRandom()).certificate();
    assertArrayEquals(first.getEncoded(), second.getEncoded());
  }

  @Test
  void selfSigned_nearExpiry_isReplaced() throws Exception {
    X509Certificate first = TlsIdentity.selfSigned(dir, NAMES, NOW, new SecureRandom()).certificate();
    Clock later = Clock.offset(NOW, TlsIdentity.SELF_SIGNED_VALIDITY.minusHours(12));
    X509Certificate second = TlsIdentity.selfSigned(dir, NAMES, later, new SecureRandom()).certificate();
    assertNotEquals(first.getSerialNumber(), second.getSerialNumber());
  }

  @Test
  void fromPem_loadsWhatSelfSignedWrote() throws Exception {
    X509Certificate cert = TlsIdentity.selfSigned(dir, NAMES, NOW, new SecureRandom()).certificate();
    TlsIdentity loaded = TlsIdentity.fromPem(dir.resolve(TlsIdentity.CERT_FILE), dir.resolve(TlsIdentity.KEY_FILE));
    assertArrayEquals(cert.getEncoded(), loaded.certificate().getEncoded());
    assertTrue(loaded.keyStore("x".toCharArray()).isKeyEntry(TlsIdentity.ALIAS));
  }

  @Test
  void fromPem_withoutKey_failsWithoutEchoingContent() throws Exception {
    Path cert = dir.resolve("c.pem");
    Path key = dir.resolve("k.pem");
    Files.writeString(cert, "not a certificate");
    Files.writeString(key, "secret-looking content");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TlsIdentity.fromPem(cert, key));
    assertTrue(!e.getMessage().contains("secret-looking"), e.getMessage());
  }

  @Test
  void server_withOpenSslPemCertificateAndKey_servesTls() throws Exception {
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    // A key and certificate as an operator would make them: OpenSSL's traditional "EC PRIVATE KEY".
    Assumptions.assumeTrue(run("openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", key.toString()));
    Assumptions.assumeTrue(run("openssl", "req", "-new", "-x509", "-key", key.toString(), "-out", cert.toString(),
        "-subj", "/CN=localhost", "-days", "2", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"));
    assertTrue(Files.readString(key).contains("BEGIN EC PRIVATE KEY"));
    ServerConfig cfg = ServerConfig.pem(cert, key).withPort(0).withThreads(8);
    health.ward.auth.Authenticator deny = t -> { throw new WardException.Unauthenticated("no"); };
    try (WardApp app = TestApps.open(dir.resolve("app"));
        FhirServer s = new FhirServer(app.records(), app.transparency(), deny, cfg, NOW, new SecureRandom()).start()) {
      HttpResponse<String> r = Https.send(Https.client(), Https.request(s.baseUrl() + "/metadata").GET().build());
      assertEquals(200, r.statusCode());
    }
  }

  private static boolean run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void server_plainHttp_onlyWhenAsked() throws Exception {
    ServerConfig cfg = ServerConfig.plainHttp().withPort(0).withThreads(8);
    health.ward.auth.Authenticator deny = t -> { throw new WardException.Unauthenticated("no"); };
    try (WardApp app = TestApps.open(dir.resolve("app"));
        FhirServer s = new FhirServer(app.records(), app.transparency(), deny, cfg, NOW, new SecureRandom()).start()) {
      assertTrue(s.baseUrl().startsWith("http://127.0.0.1:"), s.baseUrl());
      HttpResponse<String> r = Https.send(HttpClient.newHttpClient(), Https.request(s.baseUrl() + "/metadata").GET().build());
      assertEquals(200, r.statusCode());
    }
  }

  /** The server presents the stored certificate, verified by a client that trusts only it, on restart too. */
  @Test
  void server_presentsTheSameSelfSignedCertificateAcrossRestarts() throws Exception {
    ServerConfig cfg = ServerConfig.selfSigned(dir.resolve("tls")).withPort(0).withThreads(8);
    health.ward.auth.Authenticator deny = t -> { throw new WardException.Unauthenticated("no"); };
    for (int start = 0; start < 2; start++) {
      try (WardApp app = TestApps.open(dir.resolve("app" + start));
          FhirServer s = new FhirServer(app.records(), app.transparency(), deny, cfg, NOW, new SecureRandom()).start()) {
        X509Certificate stored = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("tls").resolve(TlsIdentity.CERT_FILE))));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ward", stored);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), new SecureRandom());
        // Hostname verification stays on: the certificate must name 127.0.0.1.
        HttpClient strict = HttpClient.newBuilder().sslContext(ssl).build();
        HttpResponse<String> r = Https.send(strict, Https.request(s.baseUrl() + "/metadata").GET().build());
        assertEquals(200, r.statusCode());
      }
    }
  }
}
