package health.ward.access;

/**
 * Decides who may do what, in two steps: first by role, scopes and kind of resource (before any
 * record is fetched), then — for one patient's records — by what relates the principal to that
 * patient. Implementations are pure: the caller gathers the facts.
 */
public interface Policy {
  /** What a resource type holds, which decides who may touch it at all. */
  enum Kind {
    /** In a patient's compartment (Patient, Observation, Encounter, …). */
    PATIENT_DATA,
    /** Belongs to no patient: practitioners, organisations, locations, medications. */
    DIRECTORY,
    /** The audit log's FHIR view (AuditEvent). */
    AUDIT_LOG,
    /** A transaction or batch bundle; each entry is decided again on its own. */
    BUNDLE
  }

  /** May {@code who} perform {@code action} on resources of {@code type} at all, and how far does it reach. */
  Decision decide(Principal who, Action action, String type, Kind kind);

  /**
   * May {@code who} perform {@code action} on a resource of {@code type} in one patient's
   * compartment, given what relates them; called only after {@link #decide} allowed the type.
   */
  Decision decideForPatient(Principal who, Action action, String type, PatientFacts facts);
}
