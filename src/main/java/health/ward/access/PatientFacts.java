package health.ward.access;

import java.util.Objects;
import java.util.Set;

/**
 * What relates a principal to one patient at the moment of an access, as the records service found
 * it.
 *
 * @param relationships the care relationships that hold now (empty if none)
 * @param consentDenies an active Consent of the patient denies this principal, its organisation or
 *     the declared purpose
 * @param emergency the principal holds a live break-the-glass grant for this patient
 * @param newPatient the patient is being created in this same request (nobody can relate to them yet)
 */
public record PatientFacts(Set<Relationship> relationships, boolean consentDenies, boolean emergency, boolean newPatient) {
  /** How a principal can be related to a patient. */
  public enum Relationship {
    /** Member of the patient's active CareTeam. */
    CARE_TEAM,
    /** Participant of one of the patient's Encounters, within the configured window. */
    ENCOUNTER,
    /** Works in the department (organisation or location) where the patient is admitted now. */
    DEPARTMENT;

    public String rule() {
      return switch (this) {
        case CARE_TEAM -> "care-team";
        case ENCOUNTER -> "encounter";
        case DEPARTMENT -> "department";
      };
    }
  }

  public PatientFacts {
    relationships = Set.copyOf(Objects.requireNonNull(relationships, "relationships"));
  }

  public static final PatientFacts NONE = new PatientFacts(Set.of(), false, false, false);
}
