package health.ward.records;

import org.hl7.fhir.r4.model.Reference;

/** Parsing of FHIR references into local (type, id) pairs. */
final class References {
  private References() {}

  /** A local reference "Type/id" (optionally with "/_history/n"), or null for anything else. */
  record Local(String type, String id) {
    String key() {
      return type + "/" + id;
    }
  }

  static Local local(String reference) {
    if (reference == null || reference.isEmpty()) return null;
    if (reference.startsWith("#") || reference.contains("?") || reference.contains(":")) return null;
    String[] parts = reference.split("/", -1);
    if (parts.length == 2 || (parts.length == 4 && parts[2].equals("_history"))) {
      if (Ids.isValidType(parts[0]) && Ids.isValid(parts[1])) return new Local(parts[0], parts[1]);
    }
    return null;
  }

  static String patientId(Reference ref) {
    Local l = local(ref.getReference());
    return l != null && l.type().equals("Patient") ? l.id() : null;
  }
}
