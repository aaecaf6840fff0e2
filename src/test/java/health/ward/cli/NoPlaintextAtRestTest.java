package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ca.uhn.fhir.context.FhirContext;
import health.ward.access.Principal;
import health.ward.records.RequestContext;
import health.ward.records.SearchRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise of a stolen data directory: after importing the Synthea sample into a Ward with its
 * own embedded PostgreSQL, a byte scan of every file under the data directory (tables, indexes,
 * WAL, server logs) and of everything Ward printed finds none of the patients' names, identifiers,
 * phone numbers or street addresses.
 */
class NoPlaintextAtRestTest {
  static final Path SAMPLE = Path.of("..", "shared", "data", "synthea-small");

  @TempDir Path dir;

  @Test
  void afterImportingSynthea_noPatientNameOrIdentifierIsAnywhereOnDisk() throws Exception {
    assumeTrue(Files.isDirectory(SAMPLE), "the Synthea sample lives in ../shared/data");
    Set<String> needles = patientNeedles();
    assertTrue(needles.size() > 100, "found " + needles.size() + " needles");

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream oldErr = System.err, oldOut = System.out;
    PrintStream tee = new PrintStream(printed, true, StandardCharsets.UTF_8);
    System.setErr(tee);
    System.setOut(tee);
    StringWriter importLog = new StringWriter();
    try (WardApp app = WardApp.open(WardConfig.defaults(dir.resolve("data"), dir.resolve("keys")))) {
      RequestContext who = RequestContext.local(Principal.operator("test"));
      SyntheaImport.Summary s =
          new SyntheaImport(
                  b -> app.records().transaction(who, b),
                  (type, q) -> app.records().search(who, type, new SearchRequest(q, 0, 1, null, true)).total() > 0,
                  2,
                  new ImportProgress(new PrintWriter(importLog, true), false, System::nanoTime))
              .run(SyntheaImport.expand(List.of(SAMPLE)));
      assertEquals(0, s.bundlesFailed(), s.failures().toString());
      assertEquals(30_447, s.resources());
      // Searches by name and identifier: their values must not reach any log either.
      for (String family : List.of("Mraz590", "Koss676")) {
        assertEquals(1, app.records().search(who, "Patient", new SearchRequest(Map.of("family", List.of(family)), 0, 10, null, false)).total());
      }
      try (Connection c = app.ownerDataSource().getConnection(); Statement st = c.createStatement()) {
        st.execute("checkpoint");
      }
    } finally {
      System.setErr(oldErr);
      System.setOut(oldOut);
    }
    Path logs = Files.writeString(dir.resolve("ward-output.log"), printed.toString(StandardCharsets.UTF_8) + importLog);

    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    assertTrue(files.stream().anyMatch(p -> p.toString().contains("pg_wal")), "the scan covers the WAL");
    Set<String> found = new TreeSet<>();
    boolean sawResourceType = false;
    long bytes = 0;
    for (Path f : files) {
      String content = latin1(f);
      bytes += content.length();
      if (content.contains("ExplanationOfBenefit")) sawResourceType = true;
      for (String n : needles) {
        if (content.contains(n)) found.add(n + " in " + dir.relativize(f));
      }
    }
    // Positive control: what is stored in the clear (resource types) is found by the same scan.
    assertTrue(sawResourceType, "the scan must see the clear-text columns of " + bytes + " bytes");
    assertTrue(Files.size(logs) > 0);
    assertEquals(Set.of(), found, "plaintext PHI found on disk or in logs");
  }

  /** Names, identifier values, phone numbers and address lines of every sample patient. */
  static Set<String> patientNeedles() throws IOException {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> list = Files.list(SAMPLE)) {
      for (Path f : list.filter(p -> !p.getFileName().toString().startsWith("hospital")
          && !p.getFileName().toString().startsWith("practitioner")).toList()) {
        Bundle b;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
          b = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, in);
        }
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
          if (!(e.getResource() instanceof Patient p)) continue;
          for (HumanName n : p.getName()) {
            add(out, n.getFamily());
            for (StringType g : n.getGiven()) add(out, g.getValue());
          }
          for (Identifier id : p.getIdentifier()) add(out, id.getValue());
          for (ContactPoint t : p.getTelecom()) add(out, t.getValue());
          for (Address a : p.getAddress()) for (StringType line : a.getLine()) add(out, line.getValue());
        }
      }
    }
    return out;
  }

  private static void add(Set<String> out, String v) {
    // Short values (e.g. "Jo") would match random bytes; Synthea's names carry digits and are long.
    // Files are scanned as ISO-8859-1 text (one char per byte), so needles are their UTF-8 bytes.
    if (v != null && v.length() >= 6) out.add(new String(v.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
  }

  private static String latin1(Path f) throws IOException {
    return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
  }
}
