package health.ward.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a principal is for, which the policy decides on: staff roles for people, integration and
 * operator for systems.
 */
public enum Role {
  /** Treats patients: reads and writes the records of patients they have a care relationship with. */
  PHYSICIAN(true, true),
  /** Cares for patients: like a physician, without deleting records. */
  NURSE(true, true),
  /** Registration and admission: demographics, encounters, care teams; no clinical records. */
  CLERK(true, false),
  /** Watches access: the audit log, sessions, break-the-glass review; no records. */
  SECURITY_OFFICER(true, false),
  /** Reads the audit log (AuditEvent) and nothing else. */
  AUDITOR(true, false),
  /** Manages staff accounts and the directory (practitioners, organisations, locations); no patient records. */
  ADMINISTRATOR(true, false),
  /** A system integration (client credentials or API token): records by its scopes, not the audit log. */
  INTEGRATION(false, false),
  /** Ward itself, for commands run on the host (import, key rotation). */
  OPERATOR(false, false);

  private final boolean staff;
  private final boolean clinical;

  Role(boolean staff, boolean clinical) {
    this.staff = staff;
    this.clinical = clinical;
  }

  /** A role a staff user account may have. */
  public boolean staff() {
    return staff;
  }

  /** A role that treats patients: needs a care relationship, may break the glass. */
  public boolean clinical() {
    return clinical;
  }

  /** The lowercase name used in the ledger, on the command line and in the database, e.g. security-officer. */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The role of {@code code} (case-insensitive, '-' or '_'); IllegalArgumentException naming the choices. */
  public static Role of(String code) {
    String c = code == null ? "" : code.strip().replace('_', '-');
    for (Role r : values()) if (r.code().equalsIgnoreCase(c)) return r;
    throw new IllegalArgumentException(
        "unknown role '" + code + "' (choose " + Arrays.stream(values()).map(Role::code).collect(Collectors.joining(", ")) + ")");
  }
}
