package health.ward.auth;

import health.ward.access.Enforcement;
import java.util.Objects;

/**
 * The watch's responses carried out on accounts and tokens: a staff session's step-up (the session
 * ends, the next sign-in needs a passkey) and lock (every session ends, the account is disabled
 * until an administrator enables it); a token's revocation (and, for an OAuth client's token, the
 * client's). Each is a ledger entry made by {@code operator:watch} with the detector as reason.
 */
public final class WatchEnforcement implements Enforcement {
  private final ApiTokens tokens;
  private final StaffDirectory directory;
  private final Clients clients;

  public WatchEnforcement(ApiTokens tokens, StaffDirectory directory, Clients clients) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.clients = Objects.requireNonNull(clients, "clients");
  }

  @Override
  public boolean revoke(String session, String reason) {
    return tokens.revoke(session, reason);
  }

  @Override
  public boolean stepUp(String actor, String session, String reason) {
    Long user = user(actor);
    if (user != null) return directory.respond(user, false, reason);
    return session != null && tokens.revoke(session, reason);
  }

  @Override
  public boolean lock(String actor, String session, String reason) {
    Long user = user(actor);
    if (user != null) return directory.respond(user, true, reason);
    boolean revoked = session != null && tokens.revoke(session, reason);
    Long token = number(actor);
    boolean client = token != null && clients.disableHolderOf(token, reason);
    return revoked || client;
  }

  private static Long user(String actor) {
    return actor != null && actor.startsWith("user:") ? number(actor.substring("user:".length())) : null;
  }

  private static Long number(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
