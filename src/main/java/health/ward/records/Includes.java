package health.ward.records;

import health.ward.common.WardException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code _include} and {@code _revinclude} of a search, over the patient references Ward
 * indexes: {@code _include=<Type>:patient|subject} (the page's patients) and, on a Patient search,
 * {@code _revinclude=<Type>:patient|subject} (that type's resources naming the page's patients).
 * Anything else ({@code *}, {@code :iterate}, other references) is refused with a 400 naming what
 * is supported.
 *
 * @param rest the other search parameters
 */
record Includes(boolean patient, List<Reverse> reverse, Map<String, List<String>> rest) {
  /** One {@code _revinclude}: resources of {@code type} whose {@code parameter} names the patient. */
  record Reverse(String type, String parameter) {}

  static Includes parse(String type, Map<String, List<String>> params) {
    boolean patient = false;
    List<Reverse> reverse = new ArrayList<>();
    Map<String, List<String>> rest = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      String name = e.getKey();
      if (name.startsWith("_include") || name.startsWith("_revinclude")) {
        boolean forward = name.startsWith("_include");
        if (!name.equals("_include") && !name.equals("_revinclude")) {
          throw new WardException.InvalidRequest("'" + clip(name) + "' is not supported (no :iterate); use _include or _revinclude");
        }
        for (String v : e.getValue()) {
          String[] p = v.split(":", -1);
          boolean patientParam = p.length >= 2 && (p[1].equals("patient") || p[1].equals("subject"))
              && (p.length == 2 || (p.length == 3 && p[2].equals("Patient")));
          if (!patientParam || !ResourceCatalog.supports(p[0]) || ResourceCatalog.patientElement(p[0]) == null
              || !SearchParameters.forType(p[0]).containsKey(p[1])) {
            throw new WardException.InvalidRequest(
                name + "=" + clip(v) + " is not supported: Ward follows patient references only, e.g. "
                    + (forward ? "_include=Observation:patient" : "_revinclude=Observation:patient"));
          }
          if (forward) {
            if (!p[0].equals(type)) {
              throw new WardException.InvalidRequest("_include=" + clip(v) + " names " + p[0] + ", but this is a search of " + type);
            }
            patient = true;
          } else {
            if (!type.equals("Patient")) {
              throw new WardException.InvalidRequest("_revinclude of a patient reference needs a Patient search, not " + type);
            }
            reverse.add(new Reverse(p[0], p[1]));
          }
        }
        continue;
      }
      rest.put(name, e.getValue());
    }
    return new Includes(patient, List.copyOf(reverse), rest);
  }

  boolean isEmpty() {
    return !patient && reverse.isEmpty();
  }

  private static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
