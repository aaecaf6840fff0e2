package health.ward.access;

import health.ward.access.Decision.Reach;
import java.util.Locale;
import java.util.Set;

/**
 * Ward's access policy: roles decide which kinds of resources a principal may touch, SMART scopes
 * can only narrow that, and for clinicians a care relationship decides which patients. Rules (the
 * name each decision records in the ledger):
 *
 * <table>
 *   <caption>By role</caption>
 *   <tr><th>role</th><th>patient data</th><th>directory</th><th>audit log</th></tr>
 *   <tr><td>physician</td><td>every action, related patients only ({@code care-team},
 *       {@code encounter}, {@code department}, {@code break-the-glass})</td><td>read</td><td>—</td></tr>
 *   <tr><td>nurse</td><td>as physician, without delete ({@code nurse-no-delete})</td><td>read</td><td>—</td></tr>
 *   <tr><td>clerk</td><td>administrative types (Patient, Encounter, CareTeam, …) of any patient whose
 *       consent allows ({@code registration}); clinical types denied ({@code clerk-no-clinical})</td>
 *       <td>read</td><td>—</td></tr>
 *   <tr><td>security officer, auditor</td><td>—</td><td>—</td><td>search ({@code auditor})</td></tr>
 *   <tr><td>administrator</td><td>— ({@code no-patient-records})</td><td>all ({@code directory-admin})</td><td>—</td></tr>
 *   <tr><td>integration</td><td>any patient whose consent allows ({@code api-token})</td><td>all</td><td>—</td></tr>
 *   <tr><td>operator</td><td colspan="3">everything, on the host only ({@code operator})</td></tr>
 * </table>
 *
 * <p>A Consent that denies the principal (its practitioner, department or the declared purpose)
 * overrides a care relationship ({@code consent}); break-the-glass overrides both, and is flagged.
 * Anything not listed is denied.
 */
public final class CarePolicy implements Policy {
  /** Types a clerk works with: registration, admission, scheduling, coverage, consent. */
  public static final Set<String> ADMINISTRATIVE =
      Set.of("Patient", "Encounter", "CareTeam", "Consent", "Coverage", "Appointment", "EpisodeOfCare", "RelatedPerson", "Account");

  @Override
  public Decision decide(Principal who, Action action, String type, Kind kind) {
    if (who.role() == Role.OPERATOR) {
      return who.kind() == Principal.Kind.OPERATOR
          ? Decision.allow("operator", Reach.EVERY_PATIENT)
          : Decision.deny("operator-local-only", "the operator role is for commands on the host");
    }
    if (kind != Kind.BUNDLE && !who.scopes().permits(action, type)) {
      return Decision.deny("scope", "this token's scopes do not allow " + verb(action) + " " + type);
    }
    if (kind == Kind.BUNDLE && who.scopes().isEmpty()) {
      return Decision.deny("scope", "this token has no resource scopes");
    }
    if (kind == Kind.AUDIT_LOG) {
      boolean auditor = who.role() == Role.AUDITOR || who.role() == Role.SECURITY_OFFICER;
      if (!auditor) return Decision.deny("audit-log-auditors-only", "the audit log is for auditors and security officers");
      return action == Action.SEARCH
          ? Decision.allow("auditor")
          : Decision.deny("auditor-read-only", "the audit log can only be searched");
    }
    return switch (who.role()) {
      case PHYSICIAN, NURSE -> switch (kind) {
        case BUNDLE -> Decision.allow("clinician", Reach.RELATED_PATIENTS);
        case DIRECTORY -> readOnlyDirectory(action);
        case PATIENT_DATA -> action == Action.DELETE && who.role() == Role.NURSE
            ? Decision.deny("nurse-no-delete", "nurses do not delete records")
            : Decision.allow("clinician", Reach.RELATED_PATIENTS);
        case AUDIT_LOG -> throw new AssertionError();
      };
      case CLERK -> switch (kind) {
        case BUNDLE -> Decision.allow("registration", Reach.UNLESS_CONSENT_DENIES);
        case DIRECTORY -> readOnlyDirectory(action);
        case PATIENT_DATA -> ADMINISTRATIVE.contains(type) && action != Action.DELETE
            ? Decision.allow("registration", Reach.UNLESS_CONSENT_DENIES)
            : Decision.deny("clerk-no-clinical", "clerks register patients; clinical records and deletions are for clinicians");
        case AUDIT_LOG -> throw new AssertionError();
      };
      case ADMINISTRATOR -> switch (kind) {
        case BUNDLE, DIRECTORY -> Decision.allow("directory-admin", Reach.UNLESS_CONSENT_DENIES);
        case PATIENT_DATA -> Decision.deny("no-patient-records", "administrators manage accounts and the directory, not patient records");
        case AUDIT_LOG -> throw new AssertionError();
      };
      case SECURITY_OFFICER, AUDITOR -> Decision.deny("auditor-read-only", "this role may only search AuditEvent");
      case INTEGRATION -> Decision.allow("api-token", Reach.UNLESS_CONSENT_DENIES);
      case OPERATOR -> throw new AssertionError();
    };
  }

  @Override
  public Decision decideForPatient(Principal who, Action action, String type, PatientFacts facts) {
    if (who.role() == Role.OPERATOR && who.kind() == Principal.Kind.OPERATOR) return Decision.allow("operator");
    Decision byType = decide(who, action, type, Kind.PATIENT_DATA);
    if (!byType.allowed()) return byType;
    if (facts.newPatient()) return Decision.allow("new-patient", byType.reach());
    if (byType.reach() == Reach.RELATED_PATIENTS) {
      if (facts.emergency()) return Decision.emergency("break-the-glass");
      if (facts.consentDenies()) return consent();
      for (PatientFacts.Relationship r : PatientFacts.Relationship.values()) {
        if (facts.relationships().contains(r)) return Decision.allow(r.rule(), Reach.RELATED_PATIENTS);
      }
      return Decision.deny(
          "no-care-relationship",
          "no care relationship with this patient explains this access; in an emergency, break the glass");
    }
    return facts.consentDenies() ? consent() : byType;
  }

  /** Whether {@code who} may declare an emergency (break the glass) for a patient. */
  public static boolean mayBreakGlass(Principal who) {
    return who.kind() == Principal.Kind.USER && who.role().clinical();
  }

  private static Decision consent() {
    return Decision.deny("consent", "the patient's consent denies this access");
  }

  private static Decision readOnlyDirectory(Action action) {
    return switch (action) {
      case READ, SEARCH, HISTORY -> Decision.allow("directory", Reach.UNLESS_CONSENT_DENIES);
      default -> Decision.deny("directory-administrators-only", "the directory is maintained by administrators");
    };
  }

  private static String verb(Action action) {
    return action.name().toLowerCase(Locale.ROOT);
  }
}
