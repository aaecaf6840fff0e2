package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import health.ward.common.WardException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheaImportTest {
  static final SyntheaImport.StoredCheck NOTHING_STORED = (type, query) -> false;

  static final String P = "ba2c8839-0204-b6ef-2b6e-8d32c7339a24";
  static final String O = "3f22c2e0-ce14-d7be-9deb-3177ef3a56d9";

  @TempDir Path dir;

  static Bundle patientBundle(String patientId, String observationId) {
    Bundle b = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    Patient p = new Patient();
    p.setId(patientId);
    p.addIdentifier().setSystem("https://github.com/synthetichealth/synthea").setValue(patientId);
    b.addEntry().setFullUrl("urn:uuid:" + patientId).setResource(p).getRequest().setMethod(HTTPVerb.POST).setUrl("Patient");
    Observation o = new Observation();
    o.setSubject(new Reference("urn:uuid:" + patientId));
    b.addEntry().setFullUrl("urn:uuid:" + observationId).setResource(o).getRequest().setMethod(HTTPVerb.POST).setUrl("Observation");
    return b;
  }

  static String json(Bundle b) {
    return FhirContext.forR4Cached().newJsonParser().encodeResourceToString(b);
  }

  @Test
  void patientQuery_isThePatientsFirstFullIdentifier() {
    Bundle b = patientBundle(P, O);
    Patient p = (Patient) b.getEntry().get(0).getResource();
    p.getIdentifier().add(0, new org.hl7.fhir.r4.model.Identifier().setValue("no-system"));
    assertEquals(
        Optional.of(Map.of("identifier", List.of("https://github.com/synthetichealth/synthea|" + P))),
        SyntheaImport.patientQuery(b));
  }

  @Test
  void patientQuery_ofReferenceData_isEmpty() {
    Bundle b = new Bundle().setType(Bundle.BundleType.BATCH);
    Practitioner pr = new Practitioner();
    pr.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue("9999984591");
    b.addEntry().setResource(pr).getRequest().setMethod(HTTPVerb.POST).setUrl("Practitioner");
    assertEquals(Optional.empty(), SyntheaImport.patientQuery(b));
    Bundle noIds = patientBundle(P, O);
    ((Patient) noIds.getEntry().get(0).getResource()).getIdentifier().clear();
    assertEquals(Optional.empty(), SyntheaImport.patientQuery(noIds), "a patient without identifiers");
  }

  @Test
  void run_skipsBundlesWhosePatientIsStored() throws Exception {
    Bundle b = patientBundle(P, O);
    Files.writeString(dir.resolve("Amy_1.json"), json(b));
    List<Bundle> sent = new ArrayList<>();
    SyntheaImport.Summary s =
        new SyntheaImport(x -> { sent.add(x); return new Bundle(); }, (type, q) -> true, 1, progress(new StringWriter()))
            .run(SyntheaImport.expand(List.of(dir)));
    assertEquals(0, sent.size());
    assertEquals(1, s.bundlesSkipped());
    assertEquals(0, s.bundlesFailed());
  }

  @Test
  void expand_ordersHospitalsThenPractitionersThenPatients_andSkipsOtherFiles() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("fhir"));
    for (String name : List.of("Zed_1.json.gz", "Amy_2.json", "practitionerInformation9.json.gz", "hospitalInformation9.json.gz", "notes.txt")) {
      Files.writeString(sub.resolve(name), "{}");
    }
    Path extra = Files.writeString(dir.resolve("Bob.json"), "{}");

    List<Path> files = SyntheaImport.expand(List.of(extra, sub));

    assertEquals(
        List.of("hospitalInformation9.json.gz", "practitionerInformation9.json.gz", "Amy_2.json", "Bob.json", "Zed_1.json.gz"),
        files.stream().map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void expand_missingPath_isInvalidRequest() {
    var e = assertThrows(WardException.InvalidRequest.class, () -> SyntheaImport.expand(List.of(dir.resolve("nope"))));
    assertTrue(e.getMessage().contains("nope"));
    assertThrows(WardException.InvalidRequest.class, () -> SyntheaImport.expand(List.of(dir)));
  }

  @Test
  void run_badFile_isReportedAndSkipped_othersContinue() throws Exception {
    Path good1 = gz(dir.resolve("Amy_1.json.gz"), json(patientBundle(P, O)));
    Path bad = Files.writeString(dir.resolve("Bad_2.json"), "{ \"resourceType\": \"Bundle\", \"entry\": [ ");
    Path notABundle = Files.writeString(dir.resolve("Cat_3.json"), "{\"resourceType\":\"Patient\"}");
    Path good2 = Files.writeString(dir.resolve("Dan_4.json"), json(patientBundle("p4", "o4")));
    List<Bundle> stored = Collections.synchronizedList(new ArrayList<>());
    StringWriter err = new StringWriter();

    SyntheaImport.Summary s =
        new SyntheaImport(b -> { stored.add(b); return new Bundle(); }, NOTHING_STORED, 2, progress(err))
            .run(SyntheaImport.expand(List.of(dir)));

    assertEquals(2, s.bundlesOk());
    assertEquals(2, s.bundlesFailed());
    assertEquals(4, s.resources());
    assertEquals(List.of(bad, notABundle), s.failures().stream().map(SyntheaImport.Failure::file).toList());
    assertEquals(2, stored.size());
    assertTrue(stored.stream().allMatch(b -> b.getEntry().get(0).getRequest().getMethod() == HTTPVerb.POST), "sent as they are");
    String log = err.toString();
    assertTrue(log.contains("FAILED " + bad), log);
    assertTrue(log.contains("2 bundles imported, 0 already present, 2 failed"), log);
    assertFalse(log.contains("\tat "), "no stack traces: " + log);
    assertTrue(Files.exists(good1) && Files.exists(good2));
  }

  @Test
  void run_refusedTransaction_namesFileAndEntry_othersContinue() throws Exception {
    Files.writeString(dir.resolve("Amy.json"), json(patientBundle(P, O)));
    Files.writeString(dir.resolve("Bob.json"), json(patientBundle("p2", "o2")));
    StringWriter err = new StringWriter();
    SyntheaImport.TransactionTarget refuseAmy =
        b -> {
          if (firstId(b).equals(P)) {
            throw new WardException.InvalidResource("entry 1 (Observation): status is required");
          }
          return new Bundle();
        };

    SyntheaImport.Summary s = new SyntheaImport(refuseAmy, NOTHING_STORED, 1, progress(err)).run(SyntheaImport.expand(List.of(dir)));

    assertEquals(1, s.bundlesOk());
    assertEquals(1, s.bundlesFailed());
    assertTrue(s.failures().get(0).reason().contains("entry 1 (Observation)"), s.failures().toString());
    assertTrue(err.toString().contains("Amy.json: entry 1 (Observation): status is required [INVALID_RESOURCE]"), err.toString());
  }

  @Test
  void run_wardItselfUnavailable_stopsAndRethrows() throws Exception {
    for (int i = 0; i < 6; i++) Files.writeString(dir.resolve("P" + i + ".json"), json(patientBundle("p" + i, "o" + i)));
    AtomicInteger calls = new AtomicInteger();
    WardException.LedgerUnavailable down = new WardException.LedgerUnavailable("ledger unavailable", null);

    var thrown =
        assertThrows(
            WardException.LedgerUnavailable.class,
            () -> new SyntheaImport(b -> { calls.incrementAndGet(); throw down; }, NOTHING_STORED, 1, progress(new StringWriter()))
                .run(SyntheaImport.expand(List.of(dir))));

    assertSame(down, thrown);
    assertTrue(calls.get() < 6, "stopped early, called " + calls.get());
  }

  @Test
  void run_referenceDataFirst_thenPatients() throws Exception {
    Files.writeString(dir.resolve("Amy.json"), json(patientBundle(P, O)));
    Files.writeString(dir.resolve("practitionerInformation1.json"), json(patientBundle("pr", "pr2")));
    Files.writeString(dir.resolve("hospitalInformation1.json"), json(patientBundle("ho", "ho2")));
    List<String> order = Collections.synchronizedList(new ArrayList<>());

    new SyntheaImport(
            b -> { order.add(firstId(b)); return new Bundle(); },
            NOTHING_STORED, 2, progress(new StringWriter()))
        .run(SyntheaImport.expand(List.of(dir)));

    assertEquals(List.of("ho", "pr", P), order);
  }

  @Test
  void run_sharedSyntheaSample_parsesEveryResource() {
    Path sample = Path.of("..", "shared", "data", "synthea-small");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(sample));
    AtomicLong entries = new AtomicLong();
    AtomicInteger patientBundles = new AtomicInteger();
    SyntheaImport.Summary s =
        new SyntheaImport(
                b -> {
                  entries.addAndGet(b.getEntry().size());
                  if (SyntheaImport.patientQuery(b).isPresent()) patientBundles.incrementAndGet();
                  return new Bundle();
                },
                NOTHING_STORED, 2, progress(new StringWriter()))
            .run(SyntheaImport.expand(List.of(sample)));
    assertEquals(0, s.bundlesFailed(), s.failures().toString());
    assertEquals(30_447, s.resources());
    assertEquals(30_447, entries.get());
    assertEquals(20, patientBundles.get(), "every patient bundle is recognised for idempotent re-import");
  }

  /** The first entry's resource id, as parsed (HAPI takes it from a urn:uuid fullUrl). */
  static String firstId(Bundle b) {
    return b.getEntry().get(0).getResource().getIdElement().getValue().replaceFirst("^urn:uuid:", "");
  }

  static ImportProgress progress(StringWriter sink) {
    return new ImportProgress(new PrintWriter(sink, true), false, System::nanoTime);
  }

  static Path gz(Path p, String content) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }
}
