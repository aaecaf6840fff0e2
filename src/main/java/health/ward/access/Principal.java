package health.ward.access;

import java.util.List;
import java.util.Objects;

/**
 * Who is asking: a signed-in staff user, a system integration (client credentials or API token),
 * or Ward itself for operator commands run on the host (import, key rotation).
 *
 * @param id stable identifier of the account or credential (not its secret), e.g. "user:7"
 * @param name human-readable name, e.g. the user name
 * @param role what the principal is for; the policy decides on it
 * @param scopes the SMART scopes the credential carries; they can only narrow what the role allows
 * @param practitioner the FHIR Practitioner a staff user is ("Practitioner/123"), or {@code null}
 * @param departments the organisations or locations a staff user works in ("Organization/cardio")
 * @param session the session a staff user signed in with ("session:42"), or {@code null}
 */
public record Principal(
    String id, String name, Kind kind, Role role, Scopes scopes, String practitioner, List<String> departments,
    String session) {
  public enum Kind { USER, API_TOKEN, OPERATOR }

  public Principal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(scopes, "scopes");
    departments = List.copyOf(departments);
  }

  /** A system principal with every scope its role allows. */
  public Principal(String id, String name, Kind kind, Role role) {
    this(id, name, kind, role, Scopes.ALL, null, List.of(), null);
  }

  /** A principal with its kind's usual role: operator for the operator, integration for a token. */
  public Principal(String id, String name, Kind kind) {
    this(id, name, kind, kind == Kind.OPERATOR ? Role.OPERATOR : Role.INTEGRATION);
  }

  /** The host operator running a Ward command locally (e.g. {@code ward import}). */
  public static Principal operator(String what) {
    return new Principal("operator:" + what, what, Kind.OPERATOR);
  }

  /**
   * The references a care relationship or a consent may name this principal by: its practitioner
   * and its departments.
   */
  public List<String> actorReferences() {
    List<String> out = new java.util.ArrayList<>(departments.size() + 1);
    if (practitioner != null) out.add(practitioner);
    out.addAll(departments);
    return List.copyOf(out);
  }
}
