package health.ward.records;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

/**
 * Canary patients: synthetic records that look like any other registration (a name, a birth date,
 * an address, a medical record number) so that someone harvesting records cannot tell them apart,
 * and that no care workflow will ever open. Nothing in them marks them as canaries; that is a
 * watch flag kept apart.
 */
final class Canaries {
  private static final List<String> GIVEN = List.of(
      "Anna", "Bram", "Carla", "Daan", "Eva", "Finn", "Greta", "Hugo", "Iris", "Jesse", "Lotte", "Milan", "Noor", "Olaf",
      "Pien", "Ruben", "Sara", "Thijs", "Vera", "Wout", "Maria", "James", "Linda", "Robert", "Susan", "David");
  private static final List<String> FAMILY = List.of(
      "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer", "Bos", "Vos", "Peters", "Hendriks",
      "Dekker", "Brouwer", "Walker", "Morgan", "Hughes", "Price", "Bennett", "Wood", "Barnes", "Ross", "Powell", "Long");
  private static final List<String> STREETS = List.of(
      "Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Oak Street", "Maple Avenue", "Mill Road");

  private Canaries() {}

  /** A plausible patient; {@code random} gives a uniform number below its argument. */
  static Patient patient(IntUnaryOperator random, Instant now) {
    Patient p = new Patient();
    p.addName().setFamily(FAMILY.get(random.applyAsInt(FAMILY.size()))).addGiven(GIVEN.get(random.applyAsInt(GIVEN.size())));
    p.setGender(random.applyAsInt(2) == 0 ? Enumerations.AdministrativeGender.FEMALE : Enumerations.AdministrativeGender.MALE);
    LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate born = today.minusYears(18 + random.applyAsInt(70)).minusDays(random.applyAsInt(365));
    p.setBirthDate(Date.from(born.atStartOfDay(ZoneOffset.UTC).toInstant()));
    p.addAddress().addLine((1 + random.applyAsInt(200)) + " " + STREETS.get(random.applyAsInt(STREETS.size())))
        .setPostalCode(String.format("%04d", 1000 + random.applyAsInt(9000)));
    p.addIdentifier(new Identifier().setSystem("urn:ward:mrn").setValue(String.format("%08d", random.applyAsInt(100_000_000))));
    return p;
  }
}
