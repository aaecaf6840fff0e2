package health.ward.auth;

import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.audit.AccessEvent.Outcome;
import health.ward.common.WardException;
import health.ward.records.RequestContext;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The administration API's decisions: which signed-in staff may manage accounts, sessions and
 * clients. Only staff sessions administer (integration tokens never do; the host operator uses the
 * {@code ward} command). A refusal is a ledger entry and a Forbidden.
 *
 * <table>
 *   <caption>Who may</caption>
 *   <tr><th>operation</th><th>roles</th></tr>
 *   <tr><td>list users, list and revoke sessions, disable a user</td><td>administrator, security officer</td></tr>
 *   <tr><td>add, enable, re-enrol users; register and disable clients</td><td>administrator</td></tr>
 * </table>
 */
public final class Admin {
  /** The operations of the administration API. */
  public enum Operation {
    LIST_USERS(Role.ADMINISTRATOR, Role.SECURITY_OFFICER),
    ADD_USER(Role.ADMINISTRATOR),
    DISABLE_USER(Role.ADMINISTRATOR, Role.SECURITY_OFFICER),
    ENABLE_USER(Role.ADMINISTRATOR),
    REENROL_USER(Role.ADMINISTRATOR),
    LIST_SESSIONS(Role.ADMINISTRATOR, Role.SECURITY_OFFICER),
    REVOKE_SESSION(Role.ADMINISTRATOR, Role.SECURITY_OFFICER),
    REGISTER_CLIENT(Role.ADMINISTRATOR),
    DISABLE_CLIENT(Role.ADMINISTRATOR);

    private final Set<Role> roles;

    Operation(Role... roles) {
      this.roles = Set.of(roles);
    }

    /** Whether a principal may perform this operation. */
    public boolean allows(Principal who) {
      return who.kind() == Principal.Kind.USER && roles.contains(who.role());
    }
  }

  private final StaffDirectory directory;
  private final ApiTokens tokens;
  private final Clients clients;
  private final AuthEvents events;

  public Admin(StaffDirectory directory, ApiTokens tokens, Clients clients, AuthEvents events) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.clients = Objects.requireNonNull(clients, "clients");
    this.events = Objects.requireNonNull(events, "events");
  }

  /** Refuses (recorded, Forbidden) unless {@code ctx}'s principal may perform {@code op}. */
  public void authorize(RequestContext ctx, Operation op) {
    if (op.allows(ctx.principal())) return;
    events.record(ctx, "admin", "StaffUser", null, Outcome.DENIED, "admin-" + op.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    throw new WardException.Forbidden("your role may not " + op.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
  }

  public List<StaffUser> users(RequestContext ctx) {
    authorize(ctx, Operation.LIST_USERS);
    events.record(ctx, "admin-list-users", "StaffUser", null, Outcome.ALLOWED, ctx.principal().role().code());
    return directory.list();
  }

  public Enrolment addUser(RequestContext ctx, StaffDirectory.NewUser user) {
    authorize(ctx, Operation.ADD_USER);
    return directory.add(ctx, user);
  }

  public void disableUser(RequestContext ctx, String username) {
    authorize(ctx, Operation.DISABLE_USER);
    directory.disable(ctx, username);
  }

  public void enableUser(RequestContext ctx, String username) {
    authorize(ctx, Operation.ENABLE_USER);
    directory.enable(ctx, username);
  }

  public Enrolment reenrolUser(RequestContext ctx, String username) {
    authorize(ctx, Operation.REENROL_USER);
    return directory.reenrol(ctx, username);
  }

  public List<ApiTokens.ActiveToken> sessions(RequestContext ctx) {
    authorize(ctx, Operation.LIST_SESSIONS);
    events.record(ctx, "admin-list-sessions", "Session", null, Outcome.ALLOWED, ctx.principal().role().code());
    return tokens.active(null);
  }

  public void revokeSession(RequestContext ctx, long id) {
    authorize(ctx, Operation.REVOKE_SESSION);
    if (!tokens.revokeSession(ctx, id, "revoked by " + ctx.principal().role().code() + " " + ctx.principal().name())) {
      throw new WardException.NotFound("no active session " + id);
    }
  }

  public Clients.Registered registerClient(RequestContext ctx, String name, String scopes) {
    authorize(ctx, Operation.REGISTER_CLIENT);
    return clients.register(ctx, name, scopes);
  }

  public void disableClient(RequestContext ctx, String name) {
    authorize(ctx, Operation.DISABLE_CLIENT);
    clients.disable(ctx, name);
  }
}
