package health.ward.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A token just created: the only moment its secret exists outside its owner's hands.
 *
 * @param id stable identifier of the token (the principal id it authenticates as)
 * @param name the token's name, unique among active tokens
 * @param secret the bearer secret; Ward keeps only its SHA-256
 */
public record IssuedToken(String id, String name, TokenSecret secret, Instant createdAt) {
  public IssuedToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
