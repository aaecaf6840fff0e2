package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import health.ward.access.Principal;
import health.ward.ledger.Checkpoint;
import health.ward.ledger.CheckpointVerifier;
import health.ward.ledger.InclusionProof;
import health.ward.ledger.Merkle;
import health.ward.records.RequestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ward breach-scope} end to end: two tokens read different patients; the report for one lists
 * exactly its patients with the right counts, and every entry in it is proven against the signed
 * checkpoint without any of Ward's code but the RFC 9162 and signed-note verifiers.
 */
class BreachScopeCommandTest {
  static final Map<String, String> ENV = Map.of(Main.PASSPHRASE_ENV, "breach test passphrase");
  static final Instant DAY1 = Instant.parse("2026-11-01T09:00:00Z");
  static final Instant DAY2 = Instant.parse("2026-11-02T09:00:00Z");

  @TempDir Path tmp;
  Path data;
  Path keys;
  String ann;
  String bob;
  String cid;



  WardApp open(Instant at) {
    return WardApp.open(WardConfig.defaults(data, keys).withPassphrase(ENV.get(Main.PASSPHRASE_ENV).toCharArray()),
        Clock.fixed(at, ZoneOffset.UTC), new SecureRandom());
  }

  @BeforeEach
  void scenario() {
    data = tmp.resolve("data");
    keys = tmp.resolve("keys");
    try (WardApp app = open(DAY1)) {
      String lab = app.tokens().create("lab").id();
      String thief = app.tokens().create("thief").id();
      RequestContext labCtx = new RequestContext(new Principal(lab, "lab", Principal.Kind.API_TOKEN), "10.0.0.5", "Lab/1");
      ann = app.records().create(labCtx, patient("Ann"), null).id();
      bob = app.records().create(labCtx, patient("Bob"), null).id();
      cid = app.records().create(labCtx, patient("Cid"), null).id();
      Observation o = new Observation();
      o.setStatus(Observation.ObservationStatus.FINAL).setSubject(new Reference("Patient/" + ann));
      o.getCode().setText("HbA1c");
      app.records().create(labCtx, o, null);
      // Day 1: the thief's token reads Ann once from an unusual address.
      RequestContext thief1 = new RequestContext(new Principal(thief, "thief", Principal.Kind.API_TOKEN), "203.0.113.9", "curl/8");
      app.records().read(thief1, "Patient", ann);
      // Another token reads Cid: none of it may appear in the thief's report.
      String portal = app.tokens().create("portal").id();
      RequestContext portalCtx = new RequestContext(new Principal(portal, "portal", Principal.Kind.API_TOKEN), "10.0.0.6", "Portal/1");
      app.records().read(portalCtx, "Patient", cid);
    }
    try (WardApp app = open(DAY2)) {
      String thief = app.tokens().list().stream().filter(t -> t.name().equals("thief")).findFirst().orElseThrow().id();
      RequestContext thief2 = new RequestContext(new Principal(thief, "thief", Principal.Kind.API_TOKEN), "203.0.113.9", "curl/8");
      app.records().read(thief2, "Patient", ann);
      app.records().read(thief2, "Patient", bob);
      app.records().search(thief2, "Observation",
          new health.ward.records.SearchRequest(Map.of("subject", List.of("Patient/" + ann)), 0, 10, null, false));
    }
  }

  static Patient patient(String family) {
    Patient p = new Patient();
    p.addName().setFamily(family);
    return p;
  }

  WardRunner.Run ward(Main.ShutdownSignal shutdown, String... args) {
    return new WardRunner(data, keys, ENV).run(shutdown, args);
  }

  WardRunner.Run ward(String... args) {
    return new WardRunner(data, keys, ENV).run(args);
  }

  @Test
  void token_listsExactlyItsPatients_withCounts_andEveryEntryIsProven() throws Exception {
    Path out = tmp.resolve("report");
    WardRunner.Run run = ward("breach-scope", "--token", "thief", "--out", out.toString());
    assertEquals(0, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("Patient/" + ann) && run.out().contains("2 patients"), run.out());

    JsonObject report = JsonParser.parseString(Files.readString(out.resolve("breach-scope.json"))).getAsJsonObject();
    JsonArray patients = report.getAsJsonArray("patients");
    assertEquals(2, patients.size());
    JsonObject first = patients.get(0).getAsJsonObject();
    assertEquals("Patient/" + ann, first.get("patient").getAsString());
    assertEquals(3, first.get("accesses").getAsInt(), "two reads and one search touched Ann");
    assertEquals("Patient/" + bob, patients.get(1).getAsJsonObject().get("patient").getAsString());
    assertEquals(1, patients.get(1).getAsJsonObject().get("accesses").getAsInt());
    Set<String> named = new HashSet<>();
    for (JsonElement p : patients) named.add(p.getAsJsonObject().get("patient").getAsString());
    assertTrue(!named.contains("Patient/" + cid), "Cid was never touched by the thief");

    // Verify like a regulator: signature, leaf hashes, inclusion proofs.
    JsonObject cp = report.getAsJsonObject("checkpoint");
    Checkpoint checkpoint = CheckpointVerifier.fromVerifierKey(cp.get("verifierKey").getAsString()).verify(cp.get("note").getAsString());
    JsonArray entries = report.getAsJsonArray("entries");
    assertEquals(4, entries.size());
    for (JsonElement el : entries) {
      JsonObject e = el.getAsJsonObject();
      byte[] leaf = Merkle.leafHash(Base64.getDecoder().decode(e.get("entry").getAsString()));
      assertTrue(Arrays.equals(leaf, Base64.getDecoder().decode(e.get("leafHash").getAsString())));
      List<byte[]> hashes = new ArrayList<>();
      e.getAsJsonArray("inclusionProof").forEach(h -> hashes.add(Base64.getDecoder().decode(h.getAsString())));
      assertTrue(new InclusionProof(e.get("index").getAsLong(), checkpoint.size(), hashes).verify(leaf, checkpoint.rootHash()),
          "entry " + e.get("index"));
    }
    List<String> csv = Files.readAllLines(out.resolve("patients.csv"));
    assertEquals("patient,pseudonym,accesses,resources,first,last,note", csv.get(0));
    assertEquals(3, csv.size());
    assertTrue(Files.readString(out.resolve("resources.csv")).contains("Patient/" + ann + ","), "per-resource counts");
  }

  @Test
  void timeWindowAndAddress_narrowTheScope() {
    WardRunner.Run day2 = ward("breach-scope", "--token", "thief", "--from", "2026-11-02");
    assertEquals(0, day2.code(), day2.err());
    JsonObject r = JsonParser.parseString(day2.out()).getAsJsonObject();
    assertEquals(3, r.getAsJsonObject("totals").get("entries").getAsInt());
    WardRunner.Run day1 = ward("breach-scope", "--address", "203.0.113.9", "--to", "2026-11-01");
    JsonObject r1 = JsonParser.parseString(day1.out()).getAsJsonObject();
    assertEquals(1, r1.getAsJsonObject("totals").get("entries").getAsInt());
    WardRunner.Run lab = ward("breach-scope", "--address", "10.0.0.5");
    assertEquals(4, JsonParser.parseString(lab.out()).getAsJsonObject().getAsJsonObject("totals").get("entries").getAsInt(),
        "the lab's four creates");
  }

  @Test
  void badArguments_getClearErrorsAndExitCodes() {
    assertEquals(2, ward("breach-scope").code());
    assertEquals(2, ward("breach-scope", "--token", "a", "--address", "1.2.3.4").code());
    WardRunner.Run order = ward("breach-scope", "--token", "thief", "--from", "2026-11-03", "--to", "2026-11-01");
    assertEquals(2, order.code());
    assertTrue(order.err().contains("after --to"), order.err());
    assertEquals(2, ward("breach-scope", "--token", "thief", "--from", "yesterday").code());
    WardRunner.Run unknown = ward("breach-scope", "--token", "nobody");
    assertEquals(4, unknown.code());
    assertTrue(unknown.err().contains("no token was ever named"), unknown.err());
  }
}
