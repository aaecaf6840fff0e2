package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import health.ward.access.Role;
import health.ward.watch.AlertSink;
import health.ward.watch.Watch;
import health.ward.watch.WatchSettings;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch over real HTTP: detectors cut sessions off, alerts reach security officers and the ledger. */
class WatchHttpTest {
  @TempDir Path dir;
  StaffFixture f;
  Watch watch;

  @AfterEach
  void stop() {
    if (f != null) f.close();
  }

  private void start(List<AlertSink> sinks) {
    f = StaffFixture.allTotp(dir);
    watch = f.app.startWatch(WatchSettings.defaults(ZoneOffset.UTC), sinks);
  }

  private String patient(String family, String line, String postalCode) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven("Test");
    if (line != null) p.addAddress().addLine(line).setPostalCode(postalCode);
    return f.app.records().create(StaffFixture.OPERATOR, p, null).id();
  }

  private JsonArray alerts(String officer, String query) throws Exception {
    var r = f.admin("GET", "alerts" + query, officer, null);
    assertEquals(200, r.statusCode(), r.body());
    return JsonParser.parseString(r.body()).getAsJsonArray();
  }

  private static List<String> detectors(JsonArray alerts) {
    List<String> out = new ArrayList<>();
    alerts.forEach(a -> out.add(a.getAsJsonObject().get("detector").getAsString()));
    return out;
  }

  @Test
  void aCanaryRecord_cutsTheSessionOffBeforeTheResponse_andTheAlertIsWorkedThroughTheAdminApi() throws Exception {
    start(List.of());
    String officer = f.staff("so", Role.SECURITY_OFFICER, null, List.of());
    String nurse = f.staff("nurse", Role.NURSE, "Practitioner/n1", List.of());
    var made = f.admin("POST", "canaries", officer, "{\"count\":2}");
    assertEquals(201, made.statusCode(), made.body());
    String canary = JsonParser.parseString(made.body()).getAsJsonObject().getAsJsonArray("patients").get(0).getAsString();
    assertEquals(403, f.admin("POST", "canaries", nurse, "{\"count\":1}").statusCode(), "only security officers make canaries");
    String clerk = f.staff("clerk", Role.CLERK, null, List.of());
    String ordinary = patient("Ordinary", null, null);
    assertEquals(200, f.fhir("GET", "Patient/" + ordinary, clerk, null).statusCode());

    var caught = f.fhir("GET", canary, clerk, null);
    assertEquals(403, caught.statusCode(), caught.body());
    assertFalse(caught.body().contains("canary"), "the refusal does not tell the intruder what tripped");
    assertEquals(401, f.fhir("GET", "Patient/" + ordinary, clerk, null).statusCode(), "the session is revoked");
    var users = JsonParser.parseString(f.admin("GET", "users", officer, null).body()).getAsJsonArray();
    users.forEach(u -> {
      if (u.getAsJsonObject().get("username").getAsString().equals("clerk")) {
        assertEquals("disabled", u.getAsJsonObject().get("status").getAsString(), "and the account locked");
      }
    });

    JsonArray open = alerts(officer, "?status=open");
    assertEquals(List.of("canary"), detectors(open));
    JsonObject a = open.get(0).getAsJsonObject();
    assertEquals("critical", a.get("severity").getAsString());
    assertEquals("revoke", a.get("response").getAsString());
    assertEquals("clerk", a.get("actorName").getAsString());
    assertTrue(a.get("explanation").getAsString().contains("canary record"), a.toString());
    assertFalse(a.get("explanation").getAsString().contains(canary.substring("Patient/".length())), "no record ids in the alert");
    long id = a.get("id").getAsLong();
    assertEquals(403, f.admin("GET", "alerts", nurse, null).statusCode(), "alerts are for security officers");
    assertEquals(400, f.admin("POST", "alerts/" + id + "/close", officer, "{\"verdict\":\"fine\"}").statusCode());
    assertEquals(404, f.admin("POST", "alerts/999999/acknowledge", officer, null).statusCode());
    assertEquals(200, f.admin("POST", "alerts/" + id + "/acknowledge", officer, null).statusCode());
    assertEquals(0, alerts(officer, "?status=open").size());
    assertEquals(200, f.admin("POST", "alerts/" + id + "/close", officer, "{\"verdict\":\"true-positive\"}").statusCode());
    assertEquals(400, f.admin("POST", "alerts/" + id + "/close", officer, "{\"verdict\":\"benign\"}").statusCode(), "a verdict is final");
    assertEquals("true-positive", alerts(officer, "?status=closed").get(0).getAsJsonObject().get("verdict").getAsString());
    assertEquals(400, f.admin("GET", "alerts?status=weird", officer, null).statusCode());

    String auditor = f.staff("dpo", Role.AUDITOR, null, List.of());
    Bundle log = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class,
        f.fhir("GET", "AuditEvent?" + "patient=" + canary + "&_count=100", auditor, null).body());
    List<String> steps = log.getEntry().stream().map(e -> ((AuditEvent) e.getResource()).getSubtypeFirstRep().getCode()).toList();
    assertTrue(steps.contains("watch-alert"), "the alert is a ledger entry naming the patient: " + steps);
    assertTrue(steps.contains("read"), "so is the refused read: " + steps);
  }

  @Test
  void bulkReading_isCutOffAtTheLimit_andAnUnrelatedUserIsNot() throws Exception {
    start(List.of());
    List<String> patients = new ArrayList<>();
    for (int i = 0; i < 20; i++) patients.add(patient("Bulk" + i, null, null));
    String scraper = f.staff("scraper", Role.CLERK, null, List.of());
    String colleague = f.staff("colleague", Role.CLERK, null, List.of());
    int read = 0;
    int status = 200;
    for (String p : patients) {
      status = f.fhir("GET", "Patient/" + p, scraper, null).statusCode();
      if (status != 200) break;
      read++;
    }
    assertEquals(401, status, "a person must step up: the session ends");
    assertEquals(4, read, "four patients in 10 s is the floor for people; the fifth is refused");
    assertEquals(401, f.fhir("GET", "Patient/" + patients.get(0), scraper, null).statusCode());
    assertEquals(200, f.fhir("GET", "Patient/" + patients.get(0), colleague, null).statusCode(), "others are not affected");
    var login = f.auth("login", f.csrf(), "{\"username\":\"scraper\",\"password\":\"correct horse battery staple\"}");
    assertEquals(401, login.statusCode(), "after a step-up only a passkey signs in, and this account has none");
  }

  @Test
  void familyAndCoWorkers_areFoundByBlindIndex_behindTheResponse() throws Exception {
    start(List.of());
    Practitioner me = new Practitioner();
    me.addName().setFamily("Haverkamp").addGiven("Joost");
    me.addAddress().addLine("12 Lindenlaan").setPostalCode("1234 AB");
    String practitioner = f.app.records().create(StaffFixture.OPERATOR, me, null).id();
    Practitioner colleague = new Practitioner();
    colleague.addName().setFamily("Brink").addGiven("Els");
    colleague.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1980-04-02"));
    String colleagueRef = f.app.records().create(StaffFixture.OPERATOR, colleague, null).id();
    String clerk = f.staff("joost", Role.CLERK, "Practitioner/" + practitioner, List.of());
    f.staff("els", Role.NURSE, "Practitioner/" + colleagueRef, List.of());

    String wife = patient("Haverkamp-Jansen", "12 Lindenlaan", "1234ab");
    String stranger = patient("Smit", "3 Dorpsstraat", "9999 ZZ");
    Patient els = new Patient();
    els.addName().setFamily("Brink").addGiven("Els");
    els.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1980-04-02"));
    String elsAsPatient = f.app.records().create(StaffFixture.OPERATOR, els, null).id();
    String officer = f.staff("so", Role.SECURITY_OFFICER, null, List.of());

    assertEquals(200, f.fhir("GET", "Patient/" + stranger, clerk, null).statusCode());
    watch.settle();
    assertEquals(List.of(), detectors(alerts(officer, "")), "an unrelated patient raises nothing");
    assertEquals(200, f.fhir("GET", "Patient/" + wife, clerk, null).statusCode(), "snooping is alerted on, not refused");
    assertEquals(200, f.fhir("GET", "Patient/" + elsAsPatient, clerk, null).statusCode());
    watch.settle();
    JsonArray all = alerts(officer, "");
    assertEquals(List.of("co-worker", "family"), detectors(all));
    String family = all.get(1).getAsJsonObject().get("explanation").getAsString();
    assertTrue(family.contains("an address") && family.contains("blind index"), family);
    assertFalse(family.contains("Haverkamp") || family.contains("Lindenlaan"), "no names or addresses in alerts: " + family);
  }

  @Test
  void aSessionFromANewAddress_mustStepUp() throws Exception {
    start(List.of());
    String p = patient("Moved", null, null);
    String clerk = f.staff("clerk", Role.CLERK, null, List.of());
    assertEquals(200, f.fhir("GET", "Patient/" + p, clerk, null).statusCode());
    HttpClient elsewhere = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build();
    HttpResponse<String> stolen = elsewhere.send(HttpRequest.newBuilder(URI.create(f.base + "/fhir/Patient/" + p))
        .header("Authorization", "Bearer " + clerk).header("Accept", StaffFixture.FHIR_JSON).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, stolen.statusCode(), stolen.body());
    assertEquals(401, f.fhir("GET", "Patient/" + p, clerk, null).statusCode(), "the session is over for its owner too");
    String officer = f.staff("so", Role.SECURITY_OFFICER, null, List.of());
    JsonObject a = alerts(officer, "").get(0).getAsJsonObject();
    assertEquals("new-address", a.get("detector").getAsString());
    assertEquals("step-up", a.get("response").getAsString());
    assertTrue(a.get("explanation").getAsString().contains("127.0.0.2"), a.toString());
  }

  @Test
  void vipDeceasedOwnRecordAndBreakGlassAbuse_areAlerted_andSyslogGetsThem() throws Exception {
    try (java.net.DatagramSocket siem = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      siem.setSoTimeout(5_000);
      start(List.of(new health.ward.watch.SyslogSink(URI.create("udp://127.0.0.1:" + siem.getLocalPort()), "ward-test")));
      Practitioner me = new Practitioner();
      me.addName().setFamily("Zwart").addGiven("Mees");
      me.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1975-06-30"));
      String practitioner = f.app.records().create(StaffFixture.OPERATOR, me, null).id();
      String clerk = f.staff("mees", Role.CLERK, "Practitioner/" + practitioner, List.of());
      String doctor = f.staff("doc", Role.PHYSICIAN, "Practitioner/other", List.of());
      String officer = f.staff("so", Role.SECURITY_OFFICER, null, List.of());

      String famous = patient("Famous", null, null);
      Patient dead = new Patient();
      dead.addName().setFamily("Gone");
      dead.setDeceased(new org.hl7.fhir.r4.model.DateTimeType("2020-01-01"));
      String deceased = f.app.records().create(StaffFixture.OPERATOR, dead, null).id();
      Patient self = new Patient();
      self.addName().setFamily("Zwart").addGiven("Mees");
      self.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1975-06-30"));
      String own = f.app.records().create(StaffFixture.OPERATOR, self, null).id();
      String nobody = patient("Nobody", null, null);

      assertEquals(200, f.admin("POST", "flags", officer, "{\"patient\":\"Patient/" + famous + "\",\"flag\":\"vip\"}").statusCode());
      assertEquals(400, f.admin("POST", "flags", officer, "{\"patient\":\"Patient/" + famous + "\",\"flag\":\"royal\"}").statusCode());
      assertEquals(404, f.admin("POST", "flags", officer, "{\"patient\":\"Patient/nope\",\"flag\":\"vip\"}").statusCode());
      JsonArray flags = JsonParser.parseString(f.admin("GET", "flags", officer, null).body()).getAsJsonArray();
      assertEquals("Patient/" + famous, flags.get(0).getAsJsonObject().get("patient").getAsString());

      assertEquals(200, f.fhir("GET", "Patient/" + famous, clerk, null).statusCode());
      assertEquals(200, f.fhir("GET", "Patient/" + deceased, clerk, null).statusCode());
      assertEquals(200, f.fhir("GET", "Patient/" + own, clerk, null).statusCode());
      assertEquals(200, f.fhir("GET", "Patient/" + nobody, doctor, null, "X-Break-Glass", "wanted to see how the glass breaks").statusCode());
      watch.settle();
      assertEquals(List.of("break-glass-abuse", "own-record", "deceased", "vip"), detectors(alerts(officer, "")));

      java.util.Set<String> got = new java.util.HashSet<>();
      for (int i = 0; i < 4; i++) {
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[9000], 9000);
        siem.receive(p);
        String m = new String(p.getData(), 0, p.getLength(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(m.startsWith("<10") && m.contains(" ward-test ward - "), m);
        got.add(m.split(" ")[5]);
      }
      assertEquals(java.util.Set.of("break-glass-abuse", "own-record", "deceased", "vip"), got, "every alert reached the SIEM");
    }
  }

  @Test
  void anOAuthClientTouchingACanary_losesItsTokenAndItsRegistration() throws Exception {
    start(List.of());
    String officer = f.staff("so", Role.SECURITY_OFFICER, null, List.of());
    var made = f.admin("POST", "canaries", officer, "{\"count\":1}");
    String canary = JsonParser.parseString(made.body()).getAsJsonObject().getAsJsonArray("patients").get(0).getAsString();
    var client = f.identity.clients().register(StaffFixture.OPERATOR, "billing", "system/Patient.rs");
    String basic = java.util.Base64.getEncoder().encodeToString((client.clientId() + ":" + client.secret().reveal()).getBytes());
    java.util.function.Supplier<HttpResponse<String>> token = () -> {
      try {
        return f.http.send(HttpRequest.newBuilder(URI.create(f.base + "/auth/token"))
            .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };
    String access = StaffFixture.json(token.get()).get("access_token").getAsString();
    assertEquals(403, f.fhir("GET", canary, access, null).statusCode());
    assertEquals(401, f.fhir("GET", "Patient?_count=1", access, null).statusCode(), "the token is revoked");
    assertEquals(401, token.get().statusCode(), "and the client cannot get another: it is disabled");
    JsonObject a = alerts(officer, "").get(0).getAsJsonObject();
    assertEquals("canary", a.get("detector").getAsString());
    assertEquals("integration", a.get("role").getAsString());
  }
}
