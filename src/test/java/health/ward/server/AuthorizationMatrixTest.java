package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import health.ward.access.Role;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every role × every FHIR interaction and administration endpoint × every kind of patient (related
 * by care team, unrelated, denied by consent, opened by break-the-glass, admitted to the user's
 * department, seen in a recent encounter), over real HTTP with real sign-ins, against the one
 * table {@link #EXPECTED}. Then: no response a principal was refused, and no search result it
 * got, carries anything of a patient it may not see.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthorizationMatrixTest {
  static final FhirContext FHIR = FhirContext.forR4Cached();

  /** Patients, in the order of the letters in {@link #EXPECTED}. */
  static final List<String> CASES = List.of("related", "unrelated", "consent", "emergency", "department", "encounter");

  /**
   * The table. Per principal and interaction, one letter per patient case: A allowed (2xx, and a
   * search returns the patient's records), E allowed but empty (a search narrowed to nothing), D
   * denied (403). Interactions without a patient have one letter.
   */
  static final String EXPECTED = """
      principal       read-patient read-obs search-obs history-obs create-obs update-obs delete-obs | audit users add-user sessions break-glass-list break-glass
      physician       ADDAAA       ADDAAA   AEEAAA     ADDAAA      ADDAAA     ADDAAA     ADDAAA     | D     D     D        D        D                A
      nurse           ADDADD       ADDADD   AEEAEE     ADDADD      ADDADD     ADDADD     DDDDDD     | D     D     D        D        D                A
      clerk           AADAAA       DDDDDD   DDDDDD     DDDDDD      DDDDDD     DDDDDD     DDDDDD     | D     D     D        D        D                D
      security        DDDDDD       DDDDDD   DDDDDD     DDDDDD      DDDDDD     DDDDDD     DDDDDD     | A     A     D        A        A                D
      auditor         DDDDDD       DDDDDD   DDDDDD     DDDDDD      DDDDDD     DDDDDD     DDDDDD     | A     D     D        D        D                D
      administrator   DDDDDD       DDDDDD   DDDDDD     DDDDDD      DDDDDD     DDDDDD     DDDDDD     | D     A     A        A        D                D
      integration     AADAAA       AADAAA   AAEAAA     AADAAA      AADAAA     AADAAA     AADAAA     | D     D     D        D        D                D
      lab             DDDDDD       AADAAA   AAEAAA     AADAAA      DDDDDD     DDDDDD     DDDDDD     | D     D     D        D        D                D
      """;

  @TempDir static Path dir;
  StaffFixture f;
  final Map<String, String> tokens = new LinkedHashMap<>();
  final Map<String, String> patients = new HashMap<>();
  final Map<String, String> observations = new HashMap<>();
  final Map<String, String> names = new HashMap<>();
  final List<String> refusedBodies = new ArrayList<>();

  @BeforeAll
  void setUp() throws Exception {
    f = StaffFixture.allTotp(dir);
    var records = f.app.records();
    var op = StaffFixture.OPERATOR;
    String cardio = "Organization/" + records.create(op, new org.hl7.fhir.r4.model.Organization().setName("Cardiology"), null).id();
    String p1 = "Practitioner/" + records.create(op, new org.hl7.fhir.r4.model.Practitioner(), null).id();
    String p2 = "Practitioner/" + records.create(op, new org.hl7.fhir.r4.model.Practitioner(), null).id();
    Instant now = Instant.now();
    for (String c : CASES) {
      Patient p = new Patient();
      String family = "Zz" + c + "Family";
      p.addName().setFamily(family);
      String id = records.create(op, p, null).id();
      patients.put(c, id);
      names.put(c, family);
      observations.put(c, records.create(op, observation(id, "obs of " + c), null).id());
      Reference subject = new Reference("Patient/" + id);
      switch (c) {
        case "related", "consent" -> {
          CareTeam t = new CareTeam().setStatus(CareTeam.CareTeamStatus.ACTIVE).setSubject(subject);
          t.addParticipant().setMember(new Reference(p1));
          t.addParticipant().setMember(new Reference(p2));
          records.create(op, t, null);
          if (c.equals("consent")) {
            Consent consent = new Consent().setStatus(Consent.ConsentState.ACTIVE).setPatient(subject);
            consent.getScope().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/consentscope").setCode("patient-privacy");
            consent.addCategory().addCoding().setSystem("http://loinc.org").setCode("59284-0");
            consent.getProvision().setType(Consent.ConsentProvisionType.DENY);
            records.create(op, consent, null);
          }
        }
        case "department" -> {
          Encounter e = new Encounter().setStatus(Encounter.EncounterStatus.INPROGRESS).setSubject(subject)
              .setServiceProvider(new Reference(cardio)).setPeriod(new Period().setStart(Date.from(now.minus(1, ChronoUnit.DAYS))));
          e.getClass_().setSystem("http://terminology.hl7.org/CodeSystem/v3-ActCode").setCode("IMP");
          records.create(op, e, null);
        }
        case "encounter" -> {
          records.create(op, finished(subject, p1, now.minus(10, ChronoUnit.DAYS)), null);
          records.create(op, finished(subject, p2, now.minus(60, ChronoUnit.DAYS)), null);
        }
        default -> {}
      }
    }
    tokens.put("physician", f.staff("physician", Role.PHYSICIAN, p1, List.of(cardio)));
    tokens.put("nurse", f.staff("nurse", Role.NURSE, p2, List.of()));
    tokens.put("clerk", f.staff("clerk", Role.CLERK, null, List.of()));
    tokens.put("security", f.staff("security", Role.SECURITY_OFFICER, null, List.of()));
    tokens.put("auditor", f.staff("auditor", Role.AUDITOR, null, List.of()));
    tokens.put("administrator", f.staff("administrator", Role.ADMINISTRATOR, null, List.of()));
    tokens.put("integration", clientToken("etl", "system/*.cruds"));
    tokens.put("lab", clientToken("lab", "system/Observation.rs"));
    // Clinicians break the glass for the "emergency" patient before the table is walked.
    for (String who : List.of("physician", "nurse")) {
      var r = breakGlass(who, patients.get("emergency"));
      assertEquals(200, r.statusCode(), r.body());
    }
  }

  @AfterAll
  void tearDown() {
    if (f != null) f.close();
  }

  static Observation observation(String patientId, String text) {
    Observation o = new Observation().setStatus(Observation.ObservationStatus.FINAL).setSubject(new Reference("Patient/" + patientId));
    o.getCode().setText(text);
    return o;
  }

  static Encounter finished(Reference subject, String practitioner, Instant end) {
    Encounter e = new Encounter().setStatus(Encounter.EncounterStatus.FINISHED).setSubject(subject)
        .setPeriod(new Period().setStart(Date.from(end.minus(2, ChronoUnit.HOURS))).setEnd(Date.from(end)));
    e.getClass_().setSystem("http://terminology.hl7.org/CodeSystem/v3-ActCode").setCode("AMB");
    e.addParticipant().setIndividual(new Reference(practitioner));
    return e;
  }

  String clientToken(String name, String scope) throws Exception {
    var c = f.identity.clients().register(StaffFixture.OPERATOR, name, scope);
    String form = "grant_type=client_credentials&scope=" + java.net.URLEncoder.encode(scope, java.nio.charset.StandardCharsets.UTF_8);
    String basic = java.util.Base64.getEncoder().encodeToString((c.clientId() + ":" + c.secret().reveal()).getBytes());
    var r = f.http.send(HttpRequest.newBuilder(URI.create(f.base + "/auth/token")).header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return StaffFixture.json(r).get("access_token").getAsString();
  }

  HttpResponse<String> breakGlass(String who, String patientId) throws Exception {
    String params = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"reason\",\"valueString\":\"cardiac arrest in the corridor, no chart\"}]}";
    return f.fhir("POST", "Patient/" + patientId + "/$break-glass", tokens.get(who), params);
  }

  @Test
  @Order(1)
  void everyPrincipalInteractionAndPatient_matchesTheTable() throws Exception {
    List<String> lines = EXPECTED.strip().lines().toList();
    String[] header = lines.get(0).replace("|", " ").trim().split("\\s+");
    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.replace("|", " ").trim().split("\\s+");
      String who = cells[0];
      for (int col = 1; col < cells.length; col++) {
        String interaction = header[col];
        String letters = cells[col];
        if (letters.length() == CASES.size()) {
          for (int k = 0; k < CASES.size(); k++) {
            char expected = letters.charAt(k);
            char got = patientInteraction(who, interaction, CASES.get(k));
            checked++;
            if (got != expected) mismatches.add(who + " " + interaction + " " + CASES.get(k) + ": expected " + expected + ", got " + got);
          }
        } else {
          char got = plainInteraction(who, interaction);
          checked++;
          if (got != letters.charAt(0)) mismatches.add(who + " " + interaction + ": expected " + letters + ", got " + got);
        }
      }
    }
    assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + checked + " cells differ:\n" + String.join("\n", mismatches));
    assertEquals(8 * (7 * 6 + 6), checked);
  }

  /** A (allowed with the patient's data), E (allowed, nothing of the patient), D (403). */
  char patientInteraction(String who, String interaction, String c) throws Exception {
    String token = tokens.get(who);
    String pid = patients.get(c);
    String oid = observations.get(c);
    HttpResponse<String> r = switch (interaction) {
      case "read-patient" -> f.fhir("GET", "Patient/" + pid, token, null);
      case "read-obs" -> f.fhir("GET", "Observation/" + oid, token, null);
      case "search-obs" -> f.fhir("GET", "Observation?patient=Patient/" + pid, token, null);
      case "history-obs" -> f.fhir("GET", "Observation/" + oid + "/_history", token, null);
      case "create-obs" -> f.fhir("POST", "Observation", token, FHIR.newJsonParser().encodeResourceToString(observation(pid, who + " adds")));
      case "update-obs" -> {
        Observation o = observation(pid, who + " updates " + System.nanoTime());
        o.setId(oid);
        yield f.fhir("PUT", "Observation/" + oid, token, FHIR.newJsonParser().encodeResourceToString(o));
      }
      case "delete-obs" -> {
        String disposable = f.app.records().create(StaffFixture.OPERATOR, observation(pid, "disposable"), null).id();
        yield f.fhir("DELETE", "Observation/" + disposable, token, null);
      }
      default -> throw new AssertionError(interaction);
    };
    int s = r.statusCode();
    if (s == 403) {
      refusedBodies.add(r.body());
      return 'D';
    }
    if (s / 100 != 2) throw new AssertionError(who + " " + interaction + " " + c + ": HTTP " + s + " " + r.body());
    if (interaction.equals("search-obs")) {
      Bundle b = FHIR.newJsonParser().parseResource(Bundle.class, r.body());
      if (b.getEntry().isEmpty()) {
        assertEquals(0, b.getTotal(), "an empty narrowed search reports a total of 0");
        return 'E';
      }
      for (var e : b.getEntry()) {
        assertEquals("Patient/" + pid, ((Observation) e.getResource()).getSubject().getReference());
      }
    }
    return 'A';
  }

  char plainInteraction(String who, String interaction) throws Exception {
    String token = tokens.get(who);
    HttpResponse<String> r = switch (interaction) {
      case "audit" -> f.fhir("GET", "AuditEvent?date=ge2020-01-01&_count=1", token, null);
      case "users" -> f.admin("GET", "users", token, null);
      case "add-user" -> f.admin("POST", "users", token,
          "{\"username\":\"new-" + who + "\",\"displayName\":\"New\",\"role\":\"nurse\"}");
      case "sessions" -> f.admin("GET", "sessions", token, null);
      case "break-glass-list" -> f.admin("GET", "break-glass?status=open", token, null);
      case "break-glass" -> breakGlass(who, patients.get("unrelated"));
      default -> throw new AssertionError(interaction);
    };
    if (r.statusCode() == 403) {
      refusedBodies.add(r.body());
      return 'D';
    }
    if (r.statusCode() / 100 != 2) throw new AssertionError(who + " " + interaction + ": HTTP " + r.statusCode() + " " + r.body());
    return 'A';
  }

  @Test
  @Order(2)
  void unnarrowedSearchesAndRefusals_revealNothingOfOtherPatients() throws Exception {
    Map<String, Set<String>> visible = Map.of(
        "physician", Set.of("related", "emergency", "department", "encounter", "unrelated"),
        "nurse", Set.of("related", "emergency", "unrelated"),
        "integration", Set.of("related", "unrelated", "emergency", "department", "encounter"),
        "lab", Set.of("related", "unrelated", "emergency", "department", "encounter"));
    // (Both clinicians broke the glass for the unrelated patient in the table's last column.)
    for (var e : visible.entrySet()) {
      var r = f.fhir("GET", "Observation?_count=500", tokens.get(e.getKey()), null);
      assertEquals(200, r.statusCode(), r.body());
      Bundle b = FHIR.newJsonParser().parseResource(Bundle.class, r.body());
      Set<String> seen = new TreeSet<>();
      for (var entry : b.getEntry()) {
        String subject = ((Observation) entry.getResource()).getSubject().getReference().substring("Patient/".length());
        String c = patients.entrySet().stream().filter(p -> p.getValue().equals(subject)).findFirst().orElseThrow().getKey();
        seen.add(c);
      }
      assertEquals(new TreeSet<>(e.getValue()), seen, e.getKey() + " sees exactly these patients' observations");
      assertEquals(b.getEntry().size(), b.getTotal(), e.getKey() + ": the total counts only what may be seen");
      var patientsSearch = f.fhir("GET", "Patient?family=Zzconsent", tokens.get(e.getKey()), null);
      if (patientsSearch.statusCode() == 200) {
        assertEquals(0, FHIR.newJsonParser().parseResource(Bundle.class, patientsSearch.body()).getTotal(),
            e.getKey() + ": a consent-denied patient is not even counted");
      }
    }
    for (String body : refusedBodies) {
      for (String family : names.values()) assertFalse(body.contains(family), "a refusal carries no patient data: " + body);
    }
    // _include and _revinclude bring along only what a search of that type would show.
    for (String who : List.of("physician", "nurse", "integration")) {
      Set<String> may = new TreeSet<>();
      for (String c : visible.get(who)) may.add("Patient/" + patients.get(c));
      var inc = f.fhir("GET", "Observation?_include=Observation:patient&_count=500", tokens.get(who), null);
      assertEquals(200, inc.statusCode(), inc.body());
      Bundle ib = FHIR.newJsonParser().parseResource(Bundle.class, inc.body());
      Set<String> included = new TreeSet<>();
      Set<String> subjects = new TreeSet<>();
      for (var entry : ib.getEntry()) {
        if (entry.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE) included.add("Patient/" + entry.getResource().getIdElement().getIdPart());
        else subjects.add(((Observation) entry.getResource()).getSubject().getReference());
      }
      assertEquals(subjects, included, who + ": the included patients are those of the matches");
      assertTrue(may.containsAll(included), who + " is shown only patients it may see: " + included);
      var rev = f.fhir("GET", "Patient?_revinclude=Observation:patient&_count=500", tokens.get(who), null);
      assertEquals(200, rev.statusCode(), rev.body());
      for (var entry : FHIR.newJsonParser().parseResource(Bundle.class, rev.body()).getEntry()) {
        String patientOf = entry.getResource() instanceof Observation o ? o.getSubject().getReference()
            : "Patient/" + entry.getResource().getIdElement().getIdPart();
        assertTrue(may.contains(patientOf), who + " _revinclude showed " + patientOf);
      }
    }
    assertEquals(403, f.fhir("GET", "Observation?_include=Observation:patient", tokens.get("lab"), null).statusCode(),
        "a client without Patient scopes may not include patients");
    for (String unsupported : List.of("Observation?patient.family=Zzunrelated", "Observation?_include=Observation:performer",
        "Observation?_include:iterate=Observation:patient", "Patient?_has:Observation:patient:code=x")) {
      var r = f.fhir("GET", unsupported, tokens.get("nurse"), null);
      assertEquals(400, r.statusCode(), unsupported + " is refused, so it cannot reach past the narrowing: " + r.body());
      assertFalse(r.body().contains("Zzunrelated"));
    }
  }

  @Test
  void hapiGenericClient_withABearerToken_readsWhatThePolicyAllows() {
    FhirContext ctx = FhirContext.forR4();
    ctx.getRestfulClientFactory().setServerValidationMode(ca.uhn.fhir.rest.client.api.ServerValidationModeEnum.NEVER);
    IGenericClient client = ctx.newRestfulGenericClient(f.base + "/fhir");
    client.registerInterceptor(new BearerTokenAuthInterceptor(tokens.get("physician")));
    Patient p = client.read().resource(Patient.class).withId(patients.get("related")).execute();
    assertEquals("ZzrelatedFamily", p.getNameFirstRep().getFamily());
    Bundle b = client.search().forResource(Observation.class)
        .where(Observation.SUBJECT.hasId("Patient/" + patients.get("related"))).returnBundle(Bundle.class).execute();
    assertFalse(b.getEntry().isEmpty());
    var denied = org.junit.jupiter.api.Assertions.assertThrows(ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException.class,
        () -> client.read().resource(Patient.class).withId(patients.get("consent")).execute());
    assertTrue(denied.getMessage().contains("consent"), denied.getMessage());
  }

}
