package health.ward.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.cli.TestApps;
import health.ward.cli.WardApp;
import health.ward.common.WardException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's FHIR view: BALP-shaped AuditEvents, searched by patient, agent, date and action. */
class AuditEventSearchTest {
  @TempDir Path dir;
  WardApp app;
  RecordsService records;
  final RequestContext lab = new RequestContext(new Principal("11", "lab", Principal.Kind.API_TOKEN), "10.0.0.11", "LabSync/1");
  final RequestContext portal = new RequestContext(new Principal("22", "portal", Principal.Kind.API_TOKEN), "10.0.0.22", "Portal/2");
  final RequestContext auditor =
      new RequestContext(new Principal("33", "dpo", Principal.Kind.API_TOKEN, Role.AUDITOR), "10.0.0.33", "curl/8");
  String ann;
  String bob;
  String obs;

  @BeforeEach
  void open() {
    app = TestApps.open(dir);
    records = app.records();
    ann = records.create(lab, patient("Ann"), null).id();
    bob = records.create(lab, patient("Bob"), null).id();
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL).setSubject(new Reference("Patient/" + ann));
    o.getCode().setText("glucose");
    obs = records.create(lab, o, null).id();
    records.read(portal, "Patient", ann);
    records.read(portal, "Observation", obs);
    records.read(lab, "Patient", bob);
  }

  @AfterEach
  void close() {
    app.close();
  }

  static Patient patient(String family) {
    Patient p = new Patient();
    p.addName().setFamily(family);
    return p;
  }

  List<AuditEvent> search(Map<String, List<String>> params) {
    return records.searchAuditEvents(auditor, new SearchRequest(params, 0, 100, null, false)).resources().stream()
        .map(r -> (AuditEvent) r).toList();
  }

  @Test
  void byPatient_findsEveryAccessToThatPatient_newestFirst_withTheDetailsOpened() {
    List<AuditEvent> annAccess = search(Map.of("patient", List.of("Patient/" + ann)));
    // Created by lab, Observation about Ann created by lab, read by portal twice (Patient, Observation).
    assertEquals(4, annAccess.size(), ids(annAccess));
    AuditEvent newest = annAccess.get(0);
    assertEquals("read", newest.getSubtypeFirstRep().getCode());
    assertEquals(AuditEvent.AuditEventAction.R, newest.getAction());
    assertEquals(AuditEvent.AuditEventOutcome._0, newest.getOutcome());
    assertEquals("22", newest.getAgentFirstRep().getWho().getIdentifier().getValue());
    assertEquals("portal", newest.getAgentFirstRep().getWho().getDisplay());
    assertEquals("10.0.0.22", newest.getAgentFirstRep().getNetwork().getAddress());
    assertEquals("integration", newest.getAgentFirstRep().getType().getCodingFirstRep().getCode());
    assertEquals("TREAT", newest.getPurposeOfEventFirstRep().getCodingFirstRep().getCode());
    Set<String> what = newest.getEntity().stream().map(e -> e.getWhat().getReference()).filter(r -> r != null).collect(Collectors.toSet());
    assertEquals(Set.of("Patient/" + ann, "Observation/" + obs), what);
    for (int i = 1; i < annAccess.size(); i++) {
      assertTrue(Long.parseLong(annAccess.get(i - 1).getIdPart()) > Long.parseLong(annAccess.get(i).getIdPart()), "newest first");
    }
    assertTrue(search(Map.of("patient", List.of(bob))).stream().noneMatch(e -> e.getIdPart().equals(newest.getIdPart())));
  }

  @Test
  void byAgentAndAction_andTheSearchItselfIsInTheLedger() {
    List<AuditEvent> portalReads = search(Map.of("agent", List.of("https://ward.health/fhir/actor|22"), "action", List.of("R")));
    assertEquals(2, portalReads.size());
    assertEquals(3, search(Map.of("agent", List.of("11"), "action", List.of("C"))).size());

    // The auditor's own searches are entries too, and show which patients' histories were seen.
    List<AuditEvent> auditorsOwn = search(Map.of("agent", List.of("33")));
    assertTrue(auditorsOwn.size() >= 2, ids(auditorsOwn));
    AuditEvent first = auditorsOwn.get(auditorsOwn.size() - 1);
    assertEquals("search-type", first.getSubtypeFirstRep().getCode());
    assertEquals("auditor", first.getAgentFirstRep().getType().getCodingFirstRep().getCode());
    assertTrue(first.getEntity().stream().anyMatch(e -> "AuditEvent?action&agent".equals(e.getDescription())), "the search shape");
  }

  @Test
  void byDate_windowsTheLog() {
    assertEquals(0, search(Map.of("date", List.of("lt2000-01-01"))).size());
    int all = search(Map.of("date", List.of("ge2000-01-01"))).size();
    assertTrue(all >= 6, "every access since 2000: " + all);
    assertEquals(0, search(Map.of("date", List.of("gt2999-01-01"))).size());
  }

  @Test
  void pagingAndTotals() {
    SearchResult page = records.searchAuditEvents(auditor, new SearchRequest(Map.of(), 1, 2, null, false));
    assertEquals(2, page.resources().size());
    assertTrue(page.total() >= 6);
    SearchResult count = records.searchAuditEvents(auditor, new SearchRequest(Map.of(), 0, 20, null, true));
    assertTrue(count.resources().isEmpty() && count.total() >= 6);
  }

  @Test
  void badParameters_areInvalidRequests() {
    for (var params : List.of(
        Map.of("name", List.of("x")),
        Map.of("action", List.of("Z")),
        Map.of("date", List.of("2026-13-45")),
        Map.of("date", List.of("ne2026")),
        Map.of("patient", List.of("Patient/../etc")))) {
      assertThrows(WardException.InvalidRequest.class, () -> search(params), params.toString());
    }
  }

  static String ids(List<? extends Resource> rs) {
    return rs.stream().map(r -> r.getIdPart() + ":" + ((AuditEvent) r).getSubtypeFirstRep().getCode()).toList().toString();
  }
}
