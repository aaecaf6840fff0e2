package health.ward.auth;

import health.ward.access.Role;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What may be shown about a token: never its secret or its hash.
 *
 * @param revokedAt when it was revoked, or {@code null} while it is active
 * @param role what it is for: integration or auditor
 */
public record TokenInfo(String id, String name, Instant createdAt, Instant revokedAt, Role role) {
  public TokenInfo {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  public boolean active() {
    return revokedAt == null;
  }

  public Optional<Instant> revoked() {
    return Optional.ofNullable(revokedAt);
  }
}
