package health.ward.server;

import static health.ward.server.FhirServerTest.assertOutcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Principal;
import health.ward.auth.ApiTokens;
import health.ward.cli.TestApps;
import health.ward.cli.WardApp;
import health.ward.records.RequestContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * How the server fails when Ward underneath it cannot do its job: a ledger that cannot be written,
 * stored ciphertext that was tampered with, a token store that is down, and a shutdown while a
 * request is still running. Each test breaks a fresh Ward of its own, through its database.
 */
class FhirServerFailureTest {
  static final String GIVEN = "Zebediah";
  static final String FAMILY = "Quimbleworth";

  @TempDir Path dir;

  WardApp app;
  FhirServer server;
  String token;
  HttpClient http;

  @BeforeEach
  void open() {
    app = TestApps.open(dir);
    token = app.tokens().create("failure-test").secret().reveal();
    server = new FhirServer(app.records(), app.transparency(), app.authenticator(), FhirServerTest.smallBodies(dir.resolve("tls"))).start();
    http = Https.client();
  }

  @AfterEach
  void shut() {
    try {
      server.close();
    } finally {
      app.close();
    }
  }

  private String storedPatient() {
    Patient p = new Patient();
    p.addName().setFamily(FAMILY).addGiven(GIVEN);
    p.setBirthDateElement(new DateType("1931-02-17"));
    return app.records().create(RequestContext.local(Principal.operator("failure-test")), p, null).id();
  }

  private HttpResponse<String> get(String path) {
    return Https.send(http, Https.request(server.baseUrl() + "/" + path)
        .header("Authorization", "Bearer " + token).header("Accept", FhirServerTest.FHIR_JSON).GET().build());
  }

  private void sql(String statement, String... args) throws SQLException {
    try (Connection c = app.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
      ps.execute();
    }
  }

  private static void assertNoPatientData(String text) {
    assertFalse(text.contains(GIVEN) || text.contains(FAMILY) || text.contains("1931-02-17"), text);
  }

  @Test
  void ledgerCannotBeWritten_is503WithFixedMessageAndNoPatientData() throws Exception {
    String id = storedPatient();
    assertEquals(200, get("Patient/" + id).statusCode());
    sql("alter table ledger_batch rename to ledger_batch_gone");
    HttpResponse<String> r;
    try {
      r = get("Patient/" + id);
    } finally {
      sql("alter table ledger_batch_gone rename to ledger_batch");
    }
    var oo = assertOutcome(r, 503, "LEDGER_UNAVAILABLE");
    assertEquals("The audit ledger is unavailable; the request was refused", oo.getIssueFirstRep().getDiagnostics());
    assertNoPatientData(r.body());
  }

  @Test
  void tamperedCiphertext_is500WithFixedMessageAndNoContent() throws Exception {
    String id = storedPatient();
    assertEquals(200, get("Patient/" + id).statusCode());
    flipCiphertextByte(id);
    HttpResponse<String> r = get("Patient/" + id);
    var oo = assertOutcome(r, 500, "INTEGRITY_FAILURE");
    assertEquals("Stored data failed an integrity check; the request was refused", oo.getIssueFirstRep().getDiagnostics());
    assertNoPatientData(r.body());
  }

  private void flipCiphertextByte(String id) throws SQLException {
    sql("update resource_version set ciphertext = overlay(ciphertext placing"
        + " decode(lpad(to_hex(get_byte(ciphertext, 40) # 1), 2, '0'), 'hex') from 41 for 1)"
        + " where type = 'Patient' and id = ?", id);
  }

  /**
   * Requests naming a patient, a rejected value, and a failure on stored data: the log says what
   * failed (the error code) but holds none of the content.
   */
  @Test
  void logs_holdNoResourceContent() throws Exception {
    String id = storedPatient();
    flipCiphertextByte(id);
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      String body = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + FAMILY + "\",\"given\":[\"" + GIVEN + "\"]}]}";
      Https.send(http, Https.request(server.baseUrl() + "/Patient").header("Authorization", "Bearer " + token)
          .header("Content-Type", FhirServerTest.FHIR_JSON).POST(BodyPublishers.ofString(body)).build());
      get("Patient?family=" + FAMILY);
      Https.send(http, Https.request(server.baseUrl() + "/Patient").header("Authorization", "Bearer " + token)
          .header("Content-Type", FhirServerTest.FHIR_JSON)
          .POST(BodyPublishers.ofString("{\"resourceType\":\"Patient\",\"birthDate\":\"" + GIVEN + " " + FAMILY + "\"}")).build());
      assertEquals(500, get("Patient/" + id).statusCode());
    } finally {
      System.setErr(err);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("INTEGRITY_FAILURE"), log);
    assertNoPatientData(log);
  }

  @Test
  void tokenStoreDown_is503() throws Exception {
    PGSimpleDataSource unreachable = new PGSimpleDataSource();
    unreachable.setURL("jdbc:postgresql://127.0.0.1:1/ward?connectTimeout=2");
    try (ApiTokens down = new ApiTokens(unreachable, Clock.systemUTC(), new SecureRandom());
        FhirServer s = new FhirServer(app.records(), app.transparency(), down, FhirServerTest.smallBodies(dir.resolve("tls"))).start()) {
      HttpResponse<String> r = Https.send(http, Https.request(s.baseUrl() + "/Patient/x")
          .header("Authorization", "Bearer " + token).GET().build());
      assertOutcome(r, 503, "STORE_UNAVAILABLE");
    }
  }

  /**
   * A read held up by a table lock in PostgreSQL is still running when close begins; close waits
   * for it, and it completes with its answer.
   */
  @Test
  void close_letsTheRequestInFlightFinish() throws Exception {
    String id = storedPatient();
    assertEquals(200, get("Patient/" + id).statusCode());
    CompletableFuture<HttpResponse<String>> inFlight;
    CompletableFuture<Void> closing;
    try (Connection lock = app.dataSource().getConnection()) {
      lock.setAutoCommit(false);
      try (Statement st = lock.createStatement()) {
        st.execute("lock table resource_version in access exclusive mode");
      }
      inFlight = CompletableFuture.supplyAsync(() -> get("Patient/" + id));
      awaitWaitingOnLock();
      closing = CompletableFuture.runAsync(server::close);
      Thread.sleep(300);
      assertFalse(closing.isDone(), "close did not wait for the request in flight");
      assertFalse(inFlight.isDone());
      lock.commit();
    }
    assertEquals(200, inFlight.get(20, TimeUnit.SECONDS).statusCode());
    closing.get(20, TimeUnit.SECONDS);
  }

  private void awaitWaitingOnLock() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Connection c = app.dataSource().getConnection();
          ResultSet rs = c.createStatement().executeQuery(
              "select count(*) from pg_locks where not granted and relation = 'resource_version'::regclass")) {
        rs.next();
        if (rs.getLong(1) > 0) return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the read never reached the locked table");
  }
}
