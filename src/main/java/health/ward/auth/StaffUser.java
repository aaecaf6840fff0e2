package health.ward.auth;

import health.ward.access.Role;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A staff account as it may be shown: never its password hash, TOTP secret or enrolment token.
 *
 * @param status {@code pending} (enrolment not finished), {@code active} or {@code disabled}
 * @param lockedUntil set while sign-in is locked after repeated failures
 * @param factors the second factors enrolled: "webauthn" (with a count of credentials), "totp"
 */
public record StaffUser(
    long id, String username, String displayName, Role role, String practitioner, List<String> departments,
    String status, Instant lockedUntil, int webauthnCredentials, boolean totp, Instant createdAt) {
  public StaffUser {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(role, "role");
    departments = List.copyOf(departments);
  }

  /** The principal id this account acts as in the ledger. */
  public String principalId() {
    return "user:" + id;
  }
}
