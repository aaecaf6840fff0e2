package health.ward.watch;

import health.ward.audit.AccessEvent;
import health.ward.audit.Touch;
import health.ward.common.Pseudonym;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What detectors read off an access event. */
final class Events {
  /** Rules by which a clinician is directly in a patient's care (not merely in the same department). */
  private static final Set<String> DIRECT = Set.of("care-team", "encounter");
  /** Rules of refusals that mean "no care relationship explains this access". */
  private static final Set<String> UNRELATED = Set.of("no-care-relationship", "consent");
  /** Search parameters that page or shape results without narrowing which records match. */
  private static final Set<String> SHAPING = Set.of(
      "_count", "_offset", "_sort", "_total", "_summary", "_elements", "_include", "_revinclude", "_format", "_pretty");

  /** Interactions that open, list or change patient records. */
  private static final Set<String> RECORD_ACCESS = Set.of(
      "read", "vread", "search-type", "search-system", "history-instance", "history-type", "create", "update", "patch",
      "delete", "transaction", "batch", "break-glass");

  private Events() {}

  /**
   * Whether the event is an access to patient records (not a review of the audit log or of
   * break-the-glass grants, which security staff make in bulk by design).
   */
  static boolean recordAccess(AccessEvent e) {
    return RECORD_ACCESS.contains(e.interaction()) && !e.resourceType().equals("AuditEvent");
  }

  /** The distinct patients the access touched, in order. */
  static List<Pseudonym> patients(AccessEvent e) {
    Set<Pseudonym> out = new LinkedHashSet<>();
    for (Touch t : e.touched()) {
      if (t.patient() != null) out.add(t.patient());
    }
    return new ArrayList<>(out);
  }

  /** The first resource the access touched of {@code patient}, or null. */
  static Touch touchOf(AccessEvent e, Pseudonym patient) {
    for (Touch t : e.touched()) {
      if (patient.equals(t.patient())) return t;
    }
    return null;
  }

  /** A search that returned the records of more than one patient: a list, not a chart opened. */
  static boolean listing(AccessEvent e, List<Pseudonym> patients) {
    return e.interaction().startsWith("search") && patients.size() > 1;
  }

  /** Whether the access was allowed because the actor is directly in the patient's care. */
  static boolean direct(AccessEvent e) {
    return e.outcome() == AccessEvent.Outcome.ALLOWED && DIRECT.contains(e.rule());
  }

  /**
   * Whether the access was a clinician's search that Ward narrowed to the patients the clinician has
   * a care relationship with (rule {@code clinician}): everyone it shows is related.
   */
  static boolean narrowed(AccessEvent e) {
    return e.outcome() == AccessEvent.Outcome.ALLOWED && e.rule().equals("clinician") && e.interaction().startsWith("search");
  }

  /** Whether the access was refused for want of a care relationship (or by the patient's consent). */
  static boolean unrelated(AccessEvent e) {
    return e.outcome() == AccessEvent.Outcome.DENIED && UNRELATED.contains(e.rule());
  }

  /** Whether a search pages through results ({@code _offset}). */
  static boolean paging(AccessEvent e) {
    return e.interaction().startsWith("search") && List.of(e.searchShape().split(",")).contains("_offset");
  }

  /** Whether a search has no parameter that narrows what it matches. */
  static boolean unfiltered(AccessEvent e) {
    if (!e.interaction().startsWith("search")) return false;
    for (String p : e.searchShape().split(",")) {
      if (!p.isEmpty() && !SHAPING.contains(p)) return false;
    }
    return true;
  }

  /** "opened" or "tried to open", for explanations. */
  static String verb(AccessEvent e) {
    return e.outcome() == AccessEvent.Outcome.ALLOWED ? "opened" : "tried to open (refused)";
  }

  /** The actor as explanations name it: "jdoe (nurse)". */
  static String who(AccessEvent e) {
    return e.actorName() + " (" + e.actorRole() + ")";
  }

  static String window(java.time.Duration d) {
    long s = d.toSeconds();
    return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min" : (s / 3600) + " h";
  }
}
