package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import health.ward.access.Principal;
import health.ward.records.RequestContext;
import health.ward.records.SearchRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands end to end on a real Ward (embedded PostgreSQL under a temporary data directory). */
class WardCommandsEndToEndTest {
  static final Map<String, String> ENV = Map.of(Main.PASSPHRASE_ENV, "integration test passphrase");

  @TempDir Path tmp;
  Path data;
  Path keys;

  @BeforeEach
  void dirs() {
    data = tmp.resolve("data");
    keys = tmp.resolve("keys");
  }

  WardConfig config() {
    return WardConfig.defaults(data, keys).withPassphrase(ENV.get(Main.PASSPHRASE_ENV).toCharArray());
  }




  long patients() {
    try (WardApp app = WardApp.open(config())) {
      return app.records()
          .search(RequestContext.local(Principal.operator("test")), "Patient", new SearchRequest(Map.of(), 0, 0, null, true))
          .total();
    }
  }

  WardRunner.Run ward(Main.ShutdownSignal shutdown, String... args) {
    return new WardRunner(data, keys, ENV).run(shutdown, args);
  }

  WardRunner.Run ward(String... args) {
    return new WardRunner(data, keys, ENV).run(args);
  }

  @Test
  void token_createListRevoke() {
    WardRunner.Run created = ward("token", "create", "--name", "etl");
    assertEquals(0, created.code(), created.err());
    String secret = created.out().strip();
    assertTrue(secret.startsWith("ward_"), secret);

    WardRunner.Run listed = ward("token", "list");
    assertEquals(0, listed.code(), listed.err());
    assertTrue(listed.out().contains("etl"), listed.out());
    assertFalse(listed.out().contains(secret));

    assertEquals(2, ward("token", "create", "--name", "etl").code(), "duplicate active name");
    assertEquals(0, ward("token", "revoke", "--name", "etl").code());
    WardRunner.Run again = ward("token", "revoke", "--name", "etl");
    assertEquals(4, again.code());
    assertTrue(again.err().contains("no active token named 'etl' [NOT_FOUND]"), again.err());
  }

  @Test
  void import_badFileIsReported_othersContinue_andReimportDoesNotDuplicate() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("bundles"));
    String json = FhirContext.forR4Cached().newJsonParser().encodeResourceToString(
        SyntheaImportTest.patientBundle("ba2c8839-0204-b6ef-2b6e-8d32c7339a24", "3f22c2e0-ce14-d7be-9deb-3177ef3a56d9"));
    Files.writeString(dir.resolve("Amy.json"), json);
    Files.writeString(dir.resolve("Broken.json"), "{ \"resourceType\": \"Bundle\", ");
    Files.writeString(dir.resolve("Cid.json"), FhirContext.forR4Cached().newJsonParser().encodeResourceToString(
        SyntheaImportTest.patientBundle("c136d701-6860-51a0-2f1d-715de51c71e4", "c78c1c2f-4f2c-d872-38fa-06046b169c06")));

    WardRunner.Run first = ward("import", dir.toString());
    assertEquals(1, first.code(), first.err());
    assertTrue(first.err().contains("FAILED " + dir.resolve("Broken.json")), first.err());
    assertTrue(first.err().contains("2 bundles imported, 0 already present, 1 failed"), first.err());
    assertFalse(first.err().contains("\tat "), first.err());
    assertEquals(2, patients());

    Files.delete(dir.resolve("Broken.json"));
    WardRunner.Run second = ward("import", dir.toString());
    assertEquals(0, second.code(), second.err());
    assertTrue(second.err().contains("0 bundles imported, 2 already present"), second.err());
    assertEquals(2, patients());
  }

  @Test
  void import_syntheaSample_twice_samePatients() throws Exception {
    Path sample = Path.of("..", "shared", "data", "synthea-small");
    Assumptions.assumeTrue(Files.isDirectory(sample));
    // Reference data and the three smallest patients: conditional references, and quick enough.
    Path dir = Files.createDirectories(tmp.resolve("synthea"));
    List<Path> all;
    try (var files = Files.list(sample)) {
      all = files.filter(p -> p.toString().endsWith(".json.gz")).toList();
    }
    List<Path> patients =
        all.stream().filter(p -> !SyntheaImport.isReferenceData(p))
            .sorted(java.util.Comparator.comparingLong(WardCommandsEndToEndTest::size)).limit(3).toList();
    for (Path p : all) {
      if (SyntheaImport.isReferenceData(p) || patients.contains(p)) Files.copy(p, dir.resolve(p.getFileName()));
    }

    WardRunner.Run first = ward("import", dir.toString());
    assertEquals(0, first.code(), first.err());
    assertEquals(3, patients());
    WardRunner.Run second = ward("import", dir.toString());
    assertEquals(0, second.code(), second.err());
    assertEquals(3, patients());
  }

  static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void serve_answersWithAToken_refusesWithout_andStopsCleanly() throws Exception {
    String secret = ward("token", "create", "--name", "http").out().strip();
    HttpClient http = HttpClient.newHttpClient();
    StringWriter out = new StringWriter();
    List<Integer> statuses = new ArrayList<>();
    Main main = new Main(WardApp::open, ENV, Clock.systemUTC(), new SecureRandom(), System::nanoTime, false,
        stop -> {
          try {
            Matcher m = Pattern.compile("serving FHIR R4 at (http://\\S+)").matcher(out.toString());
            assertTrue(m.find(), out.toString());
            String base = m.group(1);
            statuses.add(http.send(HttpRequest.newBuilder(URI.create(base + "/Patient"))
                .header("Authorization", "Bearer " + secret).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            statuses.add(http.send(HttpRequest.newBuilder(URI.create(base + "/Patient"))
                .header("Authorization", "Bearer ward_wrong").build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            // Another process revokes the token while the server runs: the very next request fails.
            WardRunner.Run revoked = ward("token", "revoke", "--name", "http");
            assertEquals(0, revoked.code(), revoked.err());
            statuses.add(http.send(HttpRequest.newBuilder(URI.create(base + "/Patient"))
                .header("Authorization", "Bearer " + secret).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
          } catch (Exception e) {
            throw new AssertionError(e);
          } finally {
            stop.run();
          }
        });
    StringWriter err = new StringWriter();
    int code = new CommandLine(main).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute("serve", "--plain-http", "--port", "0", "--data", data.toString(), "--keys", keys.toString());
    assertEquals(0, code, err.toString());
    assertEquals(List.of(200, 401, 401), statuses);
    assertTrue(out.toString().contains("./ward token create --name NAME"), out.toString());
    assertTrue(err.toString().contains("ward: stopping"), err.toString());
  }

  @Test
  void verify_intactLedgerExits0_alteredEntryExits5AndIsNamed() throws Exception {
    try (WardApp app = WardApp.open(config())) {
      var ctx = health.ward.records.RequestContext.local(health.ward.access.Principal.operator("test"));
      org.hl7.fhir.r4.model.Patient p = new org.hl7.fhir.r4.model.Patient();
      p.addName().setFamily("Verify");
      String id = app.records().create(ctx, p, null).id();
      app.records().read(ctx, "Patient", id);
    }
    WardRunner.Run intact = ward("verify");
    assertEquals(0, intact.code(), intact.err());
    assertTrue(intact.out().contains("ledger intact: 2 entries"), intact.out());

    try (WardApp app = WardApp.open(config());
        java.sql.Connection c = app.ownerDataSource().getConnection();
        java.sql.Statement s = c.createStatement()) {
      // Flip the last byte of entry 1 (the second entry of the batch, or a batch of its own).
      s.execute("alter table ledger_batch disable trigger all");
      s.executeUpdate(
          "update ledger_batch set entries = overlay(entries placing decode(lpad(to_hex(255 - get_byte(entries,"
              + " length(entries) - 1)), 2, '0'), 'hex') from length(entries)) where first_idx + entry_count = 2");
      s.execute("alter table ledger_batch enable trigger all");
    }
    WardRunner.Run broken = ward("verify");
    assertEquals(5, broken.code(), broken.out() + broken.err());
    assertTrue(broken.out().contains("ledger BROKEN at entry 1"), broken.out());
  }
}
