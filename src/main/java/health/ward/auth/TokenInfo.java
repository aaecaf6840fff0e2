package health.ward.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What may be shown about a token: never its secret or its hash.
 *
 * @param revokedAt when it was revoked, or {@code null} while it is active
 */
public record TokenInfo(String id, String name, Instant createdAt, Instant revokedAt) {
  public TokenInfo {
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
