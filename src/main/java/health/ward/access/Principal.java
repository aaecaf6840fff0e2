package health.ward.access;

import java.util.Objects;

/**
 * Who is asking: an authenticated API token (until staff identity lands), or Ward itself for
 * operator commands run on the host (import, key rotation).
 *
 * @param id stable identifier of the credential (not its secret)
 * @param name human-readable name, e.g. the token's name
 * @param role what the principal is for; the policy decides on it
 */
public record Principal(String id, String name, Kind kind, Role role) {
  public enum Kind { API_TOKEN, OPERATOR }

  public Principal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(role, "role");
  }

  /** A principal with its kind's usual role: operator for the operator, integration for a token. */
  public Principal(String id, String name, Kind kind) {
    this(id, name, kind, kind == Kind.OPERATOR ? Role.OPERATOR : Role.INTEGRATION);
  }

  /** The host operator running a Ward command locally (e.g. {@code ward import}). */
  public static Principal operator(String what) {
    return new Principal("operator:" + what, what, Kind.OPERATOR);
  }
}
