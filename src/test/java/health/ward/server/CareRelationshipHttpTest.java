package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ca.uhn.fhir.context.FhirContext;
import health.ward.access.Role;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relationships follow the resources that state them, as they change; consents deny by actor, by
 * organisation and by purpose. Over HTTP, with signed-in staff and a client-credentials token.
 */
class CareRelationshipHttpTest {
  static final FhirContext FHIR = FhirContext.forR4Cached();
  @TempDir Path dir;
  StaffFixture f;
  String physician;
  String nurse;
  String clerk;
  String cardio;
  String ward7;
  String p1;
  String p2;

  @BeforeEach
  void start() throws Exception {
    f = StaffFixture.allTotp(dir);
    var op = StaffFixture.OPERATOR;
    var records = f.app.records();
    cardio = "Organization/" + records.create(op, new org.hl7.fhir.r4.model.Organization().setName("Cardiology"), null).id();
    ward7 = "Location/" + records.create(op, new org.hl7.fhir.r4.model.Location().setName("Ward 7"), null).id();
    p1 = "Practitioner/" + records.create(op, new org.hl7.fhir.r4.model.Practitioner(), null).id();
    p2 = "Practitioner/" + records.create(op, new org.hl7.fhir.r4.model.Practitioner(), null).id();
    physician = f.staff("physician", Role.PHYSICIAN, p1, List.of(cardio));
    nurse = f.staff("nurse", Role.NURSE, p2, List.of(ward7));
    clerk = f.staff("clerk", Role.CLERK, null, List.of());
  }

  @AfterEach
  void stop() {
    if (f != null) f.close();
  }

  String patient() {
    return f.app.records().create(StaffFixture.OPERATOR, new Patient(), null).id();
  }

  int read(String token, String patient, String... headers) throws Exception {
    return f.fhir("GET", "Patient/" + patient, token, null, headers).statusCode();
  }

  String put(String token, org.hl7.fhir.r4.model.Resource r) throws Exception {
    String json = FHIR.newJsonParser().encodeResourceToString(r);
    var resp = r.hasId()
        ? f.fhir("PUT", r.fhirType() + "/" + r.getIdElement().getIdPart(), token, json)
        : f.fhir("POST", r.fhirType(), token, json);
    assertEquals(r.hasId() ? 200 : 201, resp.statusCode(), resp.body());
    return FHIR.newJsonParser().parseResource(resp.body()).getIdElement().getIdPart();
  }

  @Test
  void aCareTeamGrantsWhileActive_andNotOnceInactiveOrDeleted() throws Exception {
    String pt = patient();
    assertEquals(403, read(physician, pt));
    CareTeam team = new CareTeam().setStatus(CareTeam.CareTeamStatus.ACTIVE).setSubject(new Reference("Patient/" + pt));
    team.addParticipant().setMember(new Reference(p1));
    String id = put(clerk, team);
    assertEquals(200, read(physician, pt), "the clerk put the physician on the care team");
    team.setId(id);
    team.setStatus(CareTeam.CareTeamStatus.INACTIVE);
    put(clerk, team);
    assertEquals(403, read(physician, pt), "an inactive team explains nothing");
    team.setStatus(CareTeam.CareTeamStatus.ACTIVE);
    put(clerk, team);
    assertEquals(200, read(physician, pt));
    team.setPeriod(new Period().setEnd(new Date(System.currentTimeMillis() - 3L * 86_400_000)));
    put(clerk, team);
    assertEquals(403, read(physician, pt), "a team whose period ended explains nothing");
    team.setPeriod(null);
    put(clerk, team);
    assertEquals(200, read(physician, pt));
    assertEquals(200, f.fhir("DELETE", "CareTeam/" + id, physician, null).statusCode());
    assertEquals(403, read(physician, pt), "a deleted team explains nothing");
  }

  @Test
  void anAdmissionToALocation_grantsItsStaff_untilTheEncounterEnds() throws Exception {
    String pt = patient();
    Encounter e = new Encounter().setStatus(Encounter.EncounterStatus.INPROGRESS).setSubject(new Reference("Patient/" + pt))
        .setPeriod(new Period().setStart(new Date()));
    e.getClass_().setSystem("http://terminology.hl7.org/CodeSystem/v3-ActCode").setCode("IMP");
    e.addLocation().setLocation(new Reference(ward7));
    assertEquals(403, read(nurse, pt));
    String id = put(clerk, e);
    assertEquals(200, read(nurse, pt), "admitted to the nurse's ward");
    assertEquals(403, read(physician, pt), "not to the physician's department");
    e.setId(id);
    e.setStatus(Encounter.EncounterStatus.FINISHED);
    e.getPeriod().setEnd(new Date());
    put(clerk, e);
    assertEquals(403, read(nurse, pt), "discharged: the ward no longer explains access (the nurse took no part)");
  }

  @Test
  void consentDenies_anActor_anOrganisation_andAPurpose() throws Exception {
    String pt = patient();
    CareTeam team = new CareTeam().setStatus(CareTeam.CareTeamStatus.ACTIVE).setSubject(new Reference("Patient/" + pt));
    team.addParticipant().setMember(new Reference(p1));
    team.addParticipant().setMember(new Reference(p2));
    put(clerk, team);
    assertEquals(200, read(physician, pt));
    assertEquals(200, read(nurse, pt));

    Consent c = consent(pt);
    c.getProvision().getProvisionFirstRep().addActor().setReference(new Reference(p1))
        .getRole().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/v3-ParticipationType").setCode("PRCP");
    String id = put(clerk, c);
    assertEquals(403, read(physician, pt), "the patient refused this practitioner");
    assertEquals(200, read(nurse, pt), "but not the other one");

    c = consent(pt);
    c.setId(id);
    c.getProvision().getProvisionFirstRep().addActor().setReference(new Reference(cardio))
        .getRole().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/v3-ParticipationType").setCode("PRCP");
    put(clerk, c);
    assertEquals(403, read(physician, pt), "the patient refused the physician's department");
    assertEquals(200, read(nurse, pt));

    var client = f.identity.clients().register(StaffFixture.OPERATOR, "research", "system/*.rs");
    String form = "grant_type=client_credentials";
    String basic = java.util.Base64.getEncoder().encodeToString((client.clientId() + ":" + client.secret().reveal()).getBytes());
    var tok = f.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.base + "/auth/token"))
        .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    String research = StaffFixture.json(tok).get("access_token").getAsString();
    c = consent(pt);
    c.setId(id);
    c.getProvision().getProvisionFirstRep().addPurpose(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HRESCH", "research"));
    put(clerk, c);
    assertEquals(200, read(physician, pt), "the earlier denials were replaced");
    assertEquals(200, read(research, pt, "X-Purpose-Of-Use", "TREAT"));
    assertEquals(403, read(research, pt, "X-Purpose-Of-Use", "HRESCH"), "no research on this patient");
    Bundle found = FHIR.newJsonParser().parseResource(Bundle.class,
        f.fhir("GET", "Patient?_id=" + pt, research, null, "X-Purpose-Of-Use", "HRESCH").body());
    assertEquals(0, found.getTotal(), "and a research search does not even count them");
  }

  static Consent consent(String pt) {
    Consent c = new Consent().setStatus(Consent.ConsentState.ACTIVE).setPatient(new Reference("Patient/" + pt));
    c.getScope().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/consentscope").setCode("patient-privacy");
    c.addCategory().addCoding().setSystem("http://loinc.org").setCode("59284-0");
    c.getProvision().setType(Consent.ConsentProvisionType.PERMIT)
        .addProvision().setType(Consent.ConsentProvisionType.DENY);
    // A permit with a nested denial, as consent forms are usually coded; callers name what it denies.
    return c;
  }
}
