package health.ward.access;

import java.util.Locale;

/**
 * What a principal is for, which the policy decides on. Staff roles (physician, nurse, …) join
 * these with staff identity.
 */
public enum Role {
  /** A system integration (API token): records, not the audit log. */
  INTEGRATION,
  /** Reads the audit log (AuditEvent) and nothing else. */
  AUDITOR,
  /** Ward itself, for commands run on the host (import, key rotation). */
  OPERATOR;

  /** The lowercase name used in the ledger, on the command line and in the database. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role of {@code code} (case-insensitive); IllegalArgumentException naming the choices. */
  public static Role of(String code) {
    for (Role r : values()) if (r.code().equalsIgnoreCase(code == null ? "" : code.strip())) return r;
    throw new IllegalArgumentException("unknown role '" + code + "' (choose integration or auditor)");
  }
}
