package health.ward.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Principal;
import health.ward.cli.TestApps;
import health.ward.cli.WardApp;
import health.ward.common.WardException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The records service against real PostgreSQL, real keys and the real ledger. */
class RecordsServiceTest {
  @TempDir Path dir;
  WardApp app;
  RecordsService records;
  final RequestContext ctx =
      new RequestContext(new Principal("t1", "test-client", Principal.Kind.API_TOKEN), "127.0.0.1", "junit");

  @BeforeEach
  void open() {
    app = TestApps.open(dir);
    records = app.records();
  }

  @AfterEach
  void close() {
    app.close();
  }

  static Patient patient(String family, String given, String mrn) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven(given);
    p.addIdentifier(new Identifier().setSystem("urn:mrn").setValue(mrn));
    p.setGender(AdministrativeGender.FEMALE);
    p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1980-04-05"));
    return p;
  }

  static Observation observation(String patientId, String code, String when) {
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL);
    o.setCode(new CodeableConcept(new Coding("http://loinc.org", code, null)));
    o.setSubject(new Reference("Patient/" + patientId));
    o.setEffective(new DateTimeType(when));
    return o;
  }

  long ledgerSize() throws Exception {
    try (Connection c = app.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select coalesce(sum(entry_count), 0) from ledger_batch")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  long rows(String table) throws Exception {
    try (Connection c = app.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  SearchResult search(String type, Map<String, List<String>> params) {
    return records.search(ctx, type, new SearchRequest(params, 0, 50, null, false));
  }

  @Test
  void create_thenRead_returnsTheResourceWithVersionAndMeta() throws Exception {
    WriteResult w = records.create(ctx, patient("Mraz590", "Billie243", "m-1"), null);
    assertTrue(w.created());
    assertEquals(1, w.version());
    Resource read = records.read(ctx, "Patient", w.id());
    Patient p = (Patient) read;
    assertEquals("Mraz590", p.getNameFirstRep().getFamily());
    assertEquals("1", p.getMeta().getVersionId());
    assertEquals(w.id(), p.getIdElement().getIdPart());
    assertEquals("1", p.getIdElement().getVersionIdPart());
  }

  @Test
  void everyAccess_isInTheLedger_includingFailures() throws Exception {
    long before = ledgerSize();
    WriteResult w = records.create(ctx, patient("A", "B", "m-2"), null);
    records.read(ctx, "Patient", w.id());
    search("Patient", Map.of("family", List.of("a")));
    assertThrows(WardException.NotFound.class, () -> records.read(ctx, "Patient", "nope"));
    records.recordUnauthenticated("10.0.0.9", "curl/8", "read", "Patient");
    assertEquals(before + 5, ledgerSize());
  }

  @Test
  void update_sameContent_isANoOp_changedContent_isANewVersion() {
    WriteResult w = records.create(ctx, patient("A", "B", "m-3"), null);
    Patient same = patient("A", "B", "m-3");
    WriteResult again = records.update(ctx, "Patient", w.id(), same, null);
    assertEquals(1, again.version());
    assertFalse(again.created());
    Patient changed = patient("A", "C", "m-3");
    WriteResult v2 = records.update(ctx, "Patient", w.id(), changed, 1L);
    assertEquals(2, v2.version());
    assertEquals("B", ((Patient) records.vread(ctx, "Patient", w.id(), 1)).getNameFirstRep().getGivenAsSingleString());
    assertEquals("C", ((Patient) records.read(ctx, "Patient", w.id())).getNameFirstRep().getGivenAsSingleString());
    assertThrows(WardException.VersionConflict.class, () -> records.update(ctx, "Patient", w.id(), patient("A", "D", "m-3"), 1L));
  }

  @Test
  void update_withClientId_creates_andBodyIdMustMatch() {
    WriteResult w = records.update(ctx, "Patient", "chosen-1", patient("A", "B", "m-4"), null);
    assertTrue(w.created());
    assertEquals("chosen-1", w.id());
    Patient other = patient("A", "B", "m-4");
    other.setId("different");
    assertThrows(WardException.InvalidResource.class, () -> records.update(ctx, "Patient", "chosen-1", other, null));
  }

  @Test
  void delete_thenRead_isGone_andHistoryKeepsBothVersions() {
    WriteResult w = records.create(ctx, patient("A", "B", "m-5"), null);
    records.delete(ctx, "Patient", w.id());
    assertThrows(WardException.Gone.class, () -> records.read(ctx, "Patient", w.id()));
    List<HistoryEntry> h = records.history(ctx, "Patient", w.id());
    assertEquals(2, h.size());
    assertTrue(h.get(0).deleted());
    assertEquals(2, h.get(0).version());
    assertEquals(1, h.get(1).version());
    assertEquals(0, search("Patient", Map.of("_id", List.of(w.id()))).total());
  }

  @Test
  void search_byEachIndexedParameter() {
    String a = records.create(ctx, patient("Patiño436", "José", "m-6"), null).id();
    String b = records.create(ctx, patient("Koss676", "Jarvis643", "m-7"), null).id();
    assertEquals(List.of(a), ids(search("Patient", Map.of("family", List.of("patino")))));
    assertEquals(List.of(a), ids(search("Patient", Map.of("name", List.of("JOS")))));
    assertEquals(List.of(b), ids(search("Patient", Map.of("identifier", List.of("urn:mrn|m-7")))));
    assertEquals(List.of(b), ids(search("Patient", Map.of("identifier", List.of("m-7")))));
    assertEquals(2, search("Patient", Map.of("gender", List.of("female"))).total());
    assertEquals(2, search("Patient", Map.of("birthdate", List.of("1980-04"))).total());
    assertEquals(0, search("Patient", Map.of("birthdate", List.of("gt1980-04-05"))).total());
    assertEquals(List.of(a), ids(search("Patient", Map.of("given:exact", List.of("José")))));
    assertEquals(0, search("Patient", Map.of("given:exact", List.of("jose"))).total());

    records.create(ctx, observation(a, "8480-6", "2020-03-04T10:00:00Z"), null);
    records.create(ctx, observation(a, "8462-4", "2021-06-01T10:00:00Z"), null);
    records.create(ctx, observation(b, "8480-6", "2020-03-05T10:00:00Z"), null);
    assertEquals(2, search("Observation", Map.of("subject", List.of("Patient/" + a))).total());
    assertEquals(2, search("Observation", Map.of("patient", List.of(a))).total());
    assertEquals(2, search("Observation", Map.of("code", List.of("http://loinc.org|8480-6"))).total());
    assertEquals(1, search("Observation", Map.of("patient", List.of(a), "code", List.of("8480-6"))).total());
    assertEquals(1, search("Observation", Map.of("patient", List.of(a), "date", List.of("ge2021"))).total());
    assertEquals(2, search("Observation", Map.of("date", List.of("2020-03"))).total());
    assertEquals(1, search("Observation", Map.of("date", List.of("ge2020-03-05", "lt2020-03-06"))).total());
  }

  @Test
  void search_pagesAndSortsAndCounts() {
    for (int i = 0; i < 7; i++) records.create(ctx, patient("Same", "G" + i, "p-" + i), null);
    Map<String, List<String>> q = Map.of("family", List.of("same"));
    SearchResult p1 = records.search(ctx, "Patient", new SearchRequest(q, 0, 3, null, false));
    SearchResult p3 = records.search(ctx, "Patient", new SearchRequest(q, 6, 3, null, false));
    assertEquals(7, p1.total());
    assertEquals(3, p1.resources().size());
    assertEquals(1, p3.resources().size());
    assertEquals("G0", ((Patient) p1.resources().get(0)).getNameFirstRep().getGivenAsSingleString());
    SearchResult newest = records.search(ctx, "Patient", new SearchRequest(q, 0, 1, "-_lastUpdated", false));
    assertEquals("G6", ((Patient) newest.resources().get(0)).getNameFirstRep().getGivenAsSingleString());
    SearchResult count = records.search(ctx, "Patient", new SearchRequest(q, 0, 3, null, true));
    assertEquals(7, count.total());
    assertTrue(count.resources().isEmpty());
    assertThrows(WardException.InvalidRequest.class,
        () -> records.search(ctx, "Patient", new SearchRequest(q, 0, 3, "family", false)));
  }

  @Test
  void create_withBrokenReference_isRejected() {
    assertThrows(WardException.InvalidResource.class, () -> records.create(ctx, observation("missing", "1", "2020"), null));
  }

  @Test
  void update_cannotMoveAResourceToAnotherPatient() {
    String a = records.create(ctx, patient("A", "A", "a"), null).id();
    String b = records.create(ctx, patient("B", "B", "b"), null).id();
    WriteResult o = records.create(ctx, observation(a, "1", "2020"), null);
    assertThrows(WardException.InvalidResource.class,
        () -> records.update(ctx, "Observation", o.id(), observation(b, "1", "2020"), null));
  }

  @Test
  void conditionalCreate_returnsTheExistingResource() {
    Organization org = new Organization().setName("General");
    org.addIdentifier().setSystem("urn:org").setValue("o-1");
    WriteResult first = records.create(ctx, org, "identifier=urn:org|o-1");
    WriteResult second = records.create(ctx, org, "identifier=urn:org|o-1");
    assertTrue(first.created());
    assertFalse(second.created());
    assertEquals(first.id(), second.id());
  }

  Bundle syntheaLikeTransaction(String mrn, boolean brokenLastEntry) {
    Bundle b = new Bundle().setType(BundleType.TRANSACTION);
    Organization org = new Organization().setName("Hospital");
    org.addIdentifier().setSystem("urn:org").setValue("h-" + mrn);
    b.addEntry().setFullUrl("urn:uuid:org-" + mrn).setResource(org)
        .getRequest().setMethod(HTTPVerb.POST).setUrl("Organization").setIfNoneExist("identifier=urn:org|h-" + mrn);
    Patient p = patient("Trans", "Action", mrn);
    p.setManagingOrganization(new Reference("urn:uuid:org-" + mrn));
    b.addEntry().setFullUrl("urn:uuid:pat-" + mrn).setResource(p).getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
    Observation o = new Observation().setStatus(Observation.ObservationStatus.FINAL)
        .setCode(new CodeableConcept(new Coding("http://loinc.org", "1", null)))
        .setSubject(new Reference("urn:uuid:pat-" + mrn));
    o.addPerformer(new Reference("Organization?identifier=urn:org|seed"));
    b.addEntry().setFullUrl("urn:uuid:obs-" + mrn).setResource(o).getRequest().setMethod(HTTPVerb.POST).setUrl("Observation");
    if (brokenLastEntry) {
      Observation bad = new Observation().setStatus(Observation.ObservationStatus.FINAL)
          .setCode(new CodeableConcept(new Coding("http://loinc.org", "2", null)))
          .setSubject(new Reference("urn:uuid:nowhere"));
      b.addEntry().setFullUrl("urn:uuid:bad-" + mrn).setResource(bad).getRequest().setMethod(HTTPVerb.POST).setUrl("Observation");
    }
    return b;
  }

  @Test
  void transaction_resolvesBundleAndConditionalReferences() {
    Organization seed = new Organization().setName("Seed");
    seed.addIdentifier().setSystem("urn:org").setValue("seed");
    String seedId = records.create(ctx, seed, null).id();
    Bundle resp = records.transaction(ctx, syntheaLikeTransaction("t-1", false));
    assertEquals(BundleType.TRANSACTIONRESPONSE, resp.getType());
    assertEquals(3, resp.getEntry().size());
    assertTrue(resp.getEntry().get(1).getResponse().getStatus().startsWith("201"));
    String patientId = resp.getEntry().get(1).getResponse().getLocation().split("/")[1];
    String obsId = resp.getEntry().get(2).getResponse().getLocation().split("/")[1];
    Observation o = (Observation) records.read(ctx, "Observation", obsId);
    assertEquals("Patient/" + patientId, o.getSubject().getReference());
    assertEquals("Organization/" + seedId, o.getPerformerFirstRep().getReference());
    assertEquals(1, search("Observation", Map.of("patient", List.of(patientId))).total());
  }

  @Test
  void transaction_withABrokenEntry_writesNothing_andNamesTheEntry() throws Exception {
    Organization seed = new Organization().setName("Seed");
    seed.addIdentifier().setSystem("urn:org").setValue("seed");
    records.create(ctx, seed, null);
    long versions = rows("resource_version");
    var e = assertThrows(WardException.InvalidResource.class, () -> records.transaction(ctx, syntheaLikeTransaction("t-2", true)));
    assertTrue(e.getMessage().startsWith("entry 3: "), e.getMessage());
    assertTrue(e.getMessage().contains("urn:uuid:nowhere"), e.getMessage());
    assertEquals(versions, rows("resource_version"));
  }

  @Test
  void batch_reportsEachEntryOnItsOwn() {
    Bundle b = new Bundle().setType(BundleType.BATCH);
    b.addEntry().setResource(patient("Batch", "Ok", "b-1")).getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
    b.addEntry().setResource(observation("missing", "1", "2020")).getRequest().setMethod(HTTPVerb.POST).setUrl("Observation");
    b.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient/nope");
    Bundle resp = records.transaction(ctx, b);
    assertEquals(BundleType.BATCHRESPONSE, resp.getType());
    assertTrue(resp.getEntry().get(0).getResponse().getStatus().startsWith("201"));
    assertTrue(resp.getEntry().get(1).getResponse().getStatus().startsWith("400"));
    assertTrue(resp.getEntry().get(2).getResponse().getStatus().startsWith("404"));
  }

  @Test
  void read_ofATamperedCiphertext_failsWithAnIntegrityError() throws Exception {
    String id = records.create(ctx, patient("Tamper", "Me", "x-1"), null).id();
    try (Connection c = app.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "update resource_version set ciphertext = overlay(ciphertext placing "
              + "decode(lpad(to_hex(get_byte(ciphertext, 40) # 1), 2, '0'), 'hex') from 41 for 1) "
              + "where type = 'Patient' and id = '" + id + "'");
    }
    var e = assertThrows(WardException.IntegrityFailure.class, () -> records.read(ctx, "Patient", id));
    assertTrue(e.getMessage().contains("Patient/" + id), e.getMessage());
  }

  @Test
  void read_ofACiphertextCopiedFromAnotherPatient_fails() throws Exception {
    String a = records.create(ctx, patient("Alpha", "A", "c-1"), null).id();
    String b = records.create(ctx, patient("Beta", "B", "c-2"), null).id();
    String oa = records.create(ctx, observation(a, "1", "2020"), null).id();
    String ob = records.create(ctx, observation(b, "1", "2020"), null).id();
    try (Connection c = app.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "update resource_version set ciphertext = (select ciphertext from resource_version where id = '" + oa
              + "') where id = '" + ob + "'");
    }
    assertThrows(WardException.IntegrityFailure.class, () -> records.read(ctx, "Observation", ob));
    assertNotEquals(null, records.read(ctx, "Observation", oa));
  }

  @Test
  void whenTheLedgerCannotBeWritten_nothingIsReturnedOrWritten() throws Exception {
    String id = records.create(ctx, patient("Ledger", "Down", "l-1"), null).id();
    long versions = rows("resource_version");
    try (Connection c = app.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("alter table ledger_batch rename to ledger_batch_gone");
    }
    assertThrows(WardException.LedgerUnavailable.class, () -> records.read(ctx, "Patient", id));
    assertThrows(WardException.LedgerUnavailable.class, () -> records.create(ctx, patient("No", "Write", "l-2"), null));
    assertThrows(WardException.LedgerUnavailable.class, () -> search("Patient", Map.of("family", List.of("ledger"))));
    assertEquals(versions, rows("resource_version"));
    try (Connection c = app.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("alter table ledger_batch_gone rename to ledger_batch");
    }
    assertEquals("Ledger", ((Patient) records.read(ctx, "Patient", id)).getNameFirstRep().getFamily());
  }

  @Test
  void badRequests_areInvalidRequests() {
    assertThrows(WardException.InvalidRequest.class, () -> records.read(ctx, "Spaceship", "1"));
    assertThrows(WardException.InvalidRequest.class, () -> records.read(ctx, "Patient", "bad id"));
    assertThrows(WardException.InvalidRequest.class, () -> search("Patient", Map.of("unknown", List.of("1"))));
    assertThrows(WardException.InvalidResource.class,
        () -> records.transaction(ctx, new Bundle().setType(BundleType.COLLECTION)));
  }

  static List<String> ids(SearchResult r) {
    return r.resources().stream().map(x -> x.getIdElement().getIdPart()).toList();
  }

  @Test
  void includeAndRevinclude_followPatientReferences_outsideTheTotal() {
    String ann = records.create(ctx, patient("Incl", "Ann", "i-1"), null).id();
    String bob = records.create(ctx, patient("Incl", "Bob", "i-2"), null).id();
    for (String p : List.of(ann, ann, bob)) records.create(ctx, observation(p, "8867-4", "2024-01-01"), null);

    SearchResult obs = records.search(ctx, "Observation",
        new SearchRequest(Map.of("code", List.of("8867-4"), "_include", List.of("Observation:patient")), 0, 50, null, false));
    assertEquals(3, obs.total());
    assertEquals(3, obs.resources().size());
    assertEquals(java.util.Set.of(ann, bob),
        obs.included().stream().map(r -> r.getIdElement().getIdPart()).collect(java.util.stream.Collectors.toSet()));
    assertEquals(2, obs.included().size(), "each patient once");

    SearchResult pts = records.search(ctx, "Patient",
        new SearchRequest(Map.of("family", List.of("Incl"), "_revinclude", List.of("Observation:subject")), 0, 50, null, false));
    assertEquals(2, pts.total());
    assertEquals(3, pts.included().size());

    for (var bad : List.of(Map.of("_include", List.of("Observation:performer")), Map.of("_include", List.of("Patient:patient")),
        Map.of("_include:iterate", List.of("Observation:patient")), Map.of("_include", List.of("*")))) {
      assertThrows(WardException.InvalidRequest.class, () -> records.search(ctx, "Observation", new SearchRequest(bad, 0, 10, null, false)),
          bad.toString());
    }
    assertThrows(WardException.InvalidRequest.class, () -> records.search(ctx, "Observation",
        new SearchRequest(Map.of("_revinclude", List.of("Observation:patient")), 0, 10, null, false)), "_revinclude needs a Patient search");
  }
}
