package health.ward.access;

/**
 * The policy until staff identity and care relationships exist, by role. Rules (the name each
 * decision records in the ledger):
 *
 * <ul>
 *   <li>{@code operator}: the local operator may do anything, including searching the audit log;
 *   <li>{@code api-token}: an integration token may use the records API, but not the audit log
 *       (denied with rule {@code audit-log-auditors-only});
 *   <li>{@code auditor}: an auditor token may search {@code AuditEvent}; anything else is denied
 *       with rule {@code auditor-read-only}.
 * </ul>
 *
 * Anything not listed is denied.
 */
public final class TokenPolicy implements Policy {
  static final String AUDIT_LOG = "AuditEvent";

  @Override
  public Decision decide(Principal who, Action action, String resourceType) {
    boolean auditLog = AUDIT_LOG.equals(resourceType);
    return switch (who.role()) {
      case OPERATOR -> who.kind() == Principal.Kind.OPERATOR
          ? Decision.allow("operator")
          : Decision.deny("operator-local-only", "the operator role is for commands on the host");
      case INTEGRATION -> auditLog
          ? Decision.deny("audit-log-auditors-only", "the audit log is for auditor tokens")
          : Decision.allow("api-token");
      case AUDITOR -> auditLog && action == Action.SEARCH
          ? Decision.allow("auditor")
          : Decision.deny("auditor-read-only", "auditor tokens may only search AuditEvent");
    };
  }
}
