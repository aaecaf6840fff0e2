package health.ward.records;

import health.ward.store.PersonMarker;
import health.ward.vault.RecordVault;
import health.ward.watch.MarkerTokens;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * The person markers a Patient or Practitioner states (stored with it; see {@link PersonMarker}):
 * a blind token of each normalised surname, of each address (its lines with the postal code, or
 * the city when there is none), of each name with the birth date (given, family, date), a deceased
 * mark with the date of death, and each security label in {@code meta.security} (CEL, EMP, VIP…).
 *
 * <p>Names are compared on letters only, lower case and without accents, so "Harris789" and
 * "harris" are one surname; addresses on letters and digits. The tokens are keyed HMACs under the
 * vault's index key, so the table says which people share a surname or an address and nothing else.
 */
final class PersonMarkers {
  private PersonMarkers() {}

  /** True for the types that state person markers. */
  static boolean states(String type) {
    return type.equals("Patient") || type.equals("Practitioner");
  }

  static List<PersonMarker> of(Resource r, RecordVault vault) {
    List<PersonMarker> out = new ArrayList<>();
    if (r instanceof Patient p) {
      people(p.getName(), p.hasBirthDateElement() ? p.getBirthDateElement() : null, p.getAddress(), vault, out);
      if (p.hasDeceasedDateTimeType()) {
        out.add(new PersonMarker(PersonMarker.DECEASED, null, p.getDeceasedDateTimeType().getValue().toInstant()));
      } else if (p.hasDeceasedBooleanType() && p.getDeceasedBooleanType().booleanValue()) {
        out.add(new PersonMarker(PersonMarker.DECEASED, null, null));
      }
    } else if (r instanceof Practitioner p) {
      people(p.getName(), p.hasBirthDateElement() ? p.getBirthDateElement() : null, p.getAddress(), vault, out);
    }
    Set<String> labels = new LinkedHashSet<>();
    for (Coding c : r.getMeta().getSecurity()) {
      if (c.hasCode()) labels.add(c.getCode().toUpperCase(Locale.ROOT));
    }
    for (String label : labels) out.add(new PersonMarker(PersonMarker.LABEL, MarkerTokens.label(vault, label), null));
    return out;
  }

  private static void people(
      List<HumanName> names, DateType birth, List<Address> addresses, RecordVault vault, List<PersonMarker> out) {
    Set<String> surnames = new LinkedHashSet<>(), people = new LinkedHashSet<>(), places = new LinkedHashSet<>();
    for (HumanName n : names) {
      String family = letters(n.getFamily());
      if (family.isEmpty()) continue;
      surnames.add(family);
      String given = n.getGiven().isEmpty() ? "" : letters(n.getGiven().get(0).getValue());
      if (!given.isEmpty() && birth != null && birth.getValueAsString() != null) {
        people.add(given + " " + family + " " + birth.getValueAsString());
      }
    }
    for (Address a : addresses) {
      StringBuilder lines = new StringBuilder();
      for (StringType l : a.getLine()) lines.append(alnum(l.getValue()));
      String where = a.hasPostalCode() ? alnum(a.getPostalCode()) : alnum(a.getCity());
      if (lines.length() > 0 && !where.isEmpty()) places.add(lines + " " + where);
    }
    for (String s : surnames) out.add(new PersonMarker(PersonMarker.SURNAME, MarkerTokens.of(vault, PersonMarker.SURNAME, s), null));
    for (String s : places) out.add(new PersonMarker(PersonMarker.ADDRESS, MarkerTokens.of(vault, PersonMarker.ADDRESS, s), null));
    for (String s : people) out.add(new PersonMarker(PersonMarker.PERSON, MarkerTokens.of(vault, PersonMarker.PERSON, s), null));
  }

  private static String letters(String s) {
    return fold(s).replaceAll("[^a-z]", "");
  }

  private static String alnum(String s) {
    return fold(s).replaceAll("[^a-z0-9]", "");
  }

  private static String fold(String s) {
    if (s == null) return "";
    return Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
  }
}
