package health.ward.cli.simulate;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The simulated hospital's patients, grown from Synthea R4 bundles: each bundle's Patient and a few
 * of its vital-sign Observations are a template; variants change the given name, birth date, house
 * number and record number (seeded), so a few dozen Synthea patients make a population of hundreds
 * with realistic content.
 */
final class Population {
  static final int OBSERVATIONS = 4;
  private static final List<String> GIVEN = List.of(
      "Ada", "Ben", "Cleo", "Dirk", "Elin", "Femke", "Gijs", "Hanna", "Ivo", "Jade", "Koen", "Lieke", "Mats", "Nina",
      "Otto", "Puck", "Quinn", "Roos", "Sem", "Tess", "Uma", "Vince", "Wies", "Xander", "Yara", "Zeb");

  record Template(Patient patient, List<Observation> observations) {}

  private final List<Template> templates;

  private Population(List<Template> templates) {
    if (templates.isEmpty()) throw new IllegalArgumentException("no Synthea patient bundles found");
    this.templates = templates;
  }

  /** Reads every patient bundle ({@code *.json} or {@code *.json.gz}, not hospital or practitioner ones) in {@code dir}. */
  static Population load(Path dir) {
    FhirContext fhir = FhirContext.forR4Cached();
    List<Template> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().matches(".*\\.json(\\.gz)?"))
          .filter(p -> !p.getFileName().toString().startsWith("hospitalInformation"))
          .filter(p -> !p.getFileName().toString().startsWith("practitionerInformation"))
          .sorted().toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list Synthea bundles in " + dir + ": " + e.getMessage());
    }
    for (Path f : files) {
      try (InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f)) {
        Bundle b = fhir.newJsonParser().parseResource(Bundle.class, in);
        Patient p = null;
        List<Observation> obs = new ArrayList<>();
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
          Resource r = e.getResource();
          if (r instanceof Patient pp) p = pp;
          else if (r instanceof Observation o && o.hasValueQuantity() && obs.size() < OBSERVATIONS) obs.add(o);
        }
        if (p != null) out.add(new Template(p, obs));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot read Synthea bundle " + f.getFileName() + ": " + e.getMessage());
      }
    }
    return new Population(out);
  }

  int templates() {
    return templates.size();
  }

  /** The {@code n}th patient of the population (a transaction: the Patient and its Observations). */
  Bundle patient(int n, Random random) {
    Template t = templates.get(n % templates.size());
    Patient p = t.patient().copy();
    p.setId((String) null);
    p.getIdentifier().clear();
    p.addIdentifier().setSystem("urn:ward:mrn").setValue(String.format("%08d", 10_000_000 + n));
    if (n >= templates.size()) {
      p.getNameFirstRep().getGiven().clear();
      p.getNameFirstRep().addGiven(GIVEN.get(random.nextInt(GIVEN.size())) + (100 + random.nextInt(900)));
      LocalDate born = p.hasBirthDate() ? p.getBirthDate().toInstant().atZone(ZoneOffset.UTC).toLocalDate() : LocalDate.of(1970, 1, 1);
      p.setBirthDate(Date.from(born.plusDays(random.nextInt(4000) - 2000).atStartOfDay(ZoneOffset.UTC).toInstant()));
      if (p.hasAddress() && p.getAddressFirstRep().hasLine()) {
        p.getAddressFirstRep().getLine().clear();
        p.getAddressFirstRep().addLine((1 + random.nextInt(999)) + " " + (char) ('A' + random.nextInt(26)) + "laan");
      }
    }
    return transaction(p, t.observations());
  }

  /** A transaction creating {@code p} and copies of {@code observations} about it. */
  static Bundle transaction(Patient p, List<Observation> observations) {
    Bundle b = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    String ref = "urn:uuid:" + java.util.UUID.nameUUIDFromBytes(p.getIdentifierFirstRep().getValue().getBytes());
    p.setDeceased(null);
    b.addEntry().setFullUrl(ref).setResource(p).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
    for (Observation o : observations) {
      Observation c = o.copy();
      c.setId((String) null);
      c.setSubject(new Reference(ref));
      c.setEncounter(null);
      c.getPerformer().clear();
      c.getHasMember().clear();
      c.getDerivedFrom().clear();
      c.getBasedOn().clear();
      b.addEntry().setResource(c).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
    }
    return b;
  }
}
