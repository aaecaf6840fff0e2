package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import com.google.gson.JsonParser;
import health.ward.access.Role;
import java.nio.file.Path;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Break-the-glass by header: time-boxed access to one patient, flagged in the ledger, reviewed by a security officer. */
class BreakGlassHttpTest {
  @TempDir Path dir;
  StaffFixture f;

  @AfterEach
  void stop() {
    if (f != null) f.close();
  }

  @Test
  void aClinicianBreaksTheGlass_forOnePatient_andASecurityOfficerReviewsIt() throws Exception {
    f = StaffFixture.allTotp(dir);
    var op = StaffFixture.OPERATOR;
    Patient p = new Patient();
    p.addName().setFamily("Unconscious");
    String patient = f.app.records().create(op, p, null).id();
    String other = f.app.records().create(op, new Patient(), null).id();
    Observation o = new Observation().setStatus(Observation.ObservationStatus.FINAL).setSubject(new Reference("Patient/" + patient));
    o.getCode().setText("allergy: penicillin");
    String obs = f.app.records().create(op, o, null).id();

    String doctor = f.staff("doc", Role.PHYSICIAN, "Practitioner/p9", List.of());
    String officer = f.staff("so", Role.SECURITY_OFFICER, null, List.of());
    String auditor = f.staff("dpo", Role.AUDITOR, null, List.of());

    var refused = f.fhir("GET", "Patient/" + patient, doctor, null);
    assertEquals(403, refused.statusCode());
    assertTrue(refused.body().contains("break the glass"), refused.body());
    assertEquals(400, f.fhir("GET", "Patient/" + patient, doctor, null, "X-Break-Glass", "urgent").statusCode(), "a reason says what the emergency is");
    var opened = f.fhir("GET", "Patient/" + patient, doctor, null, "X-Break-Glass", "unconscious in the emergency room, no relatives");
    assertEquals(200, opened.statusCode(), opened.body());
    assertEquals(200, f.fhir("GET", "Observation/" + obs, doctor, null).statusCode(), "the grant covers the patient's record for a while");
    Bundle found = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class,
        f.fhir("GET", "Observation?patient=Patient/" + patient, doctor, null).body());
    assertEquals(1, found.getTotal());
    assertEquals(403, f.fhir("GET", "Patient/" + other, doctor, null).statusCode(), "and only that patient");

    var open = f.admin("GET", "break-glass?status=open", officer, null);
    assertEquals(200, open.statusCode(), open.body());
    var grants = JsonParser.parseString(open.body()).getAsJsonArray();
    assertEquals(1, grants.size());
    var g = grants.get(0).getAsJsonObject();
    assertEquals("doc", g.get("actorName").getAsString());
    assertEquals("unconscious in the emergency room, no relatives", g.get("reason").getAsString());
    assertEquals("Patient/" + patient, g.get("resource").getAsString());
    long id = g.get("grant").getAsLong();
    assertEquals(403, f.admin("GET", "break-glass", doctor, null).statusCode(), "clinicians do not review themselves");
    assertEquals(400, f.admin("POST", "break-glass/" + id + "/review", officer, "{\"verdict\":\"fine\"}").statusCode());
    assertEquals(200, f.admin("POST", "break-glass/" + id + "/review", officer, "{\"verdict\":\"justified\"}").statusCode());
    assertEquals("[]", f.admin("GET", "break-glass?status=open", officer, null).body());
    assertEquals(400, f.admin("POST", "break-glass/" + id + "/review", officer, "{\"verdict\":\"unjustified\"}").statusCode(),
        "a review is final");

    Bundle log = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class,
        f.fhir("GET", "AuditEvent?patient=Patient/" + patient + "&_count=100", auditor, null).body());
    long flagged = log.getEntry().stream().map(e -> (AuditEvent) e.getResource())
        .filter(e -> e.hasExtension("https://ward.health/fhir/StructureDefinition/emergency-access")).count();
    assertTrue(flagged >= 4, "the grant, the read under it and the search under it are flagged as emergency access: " + flagged);
    assertTrue(log.getEntry().stream().map(e -> (AuditEvent) e.getResource())
        .anyMatch(e -> "break-glass".equals(e.getSubtypeFirstRep().getCode())));
  }
}
