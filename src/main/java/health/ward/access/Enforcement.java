package health.ward.access;

/**
 * The responses a detector may order against an actor, beyond ending one credential
 * ({@link Revocation}). Implementations record each, with its reason, in the ledger, and make it
 * hold on the actor's next request in every running Ward.
 */
public interface Enforcement extends Revocation {
  /**
   * Ends {@code session} and requires the account to sign in again with a passkey (WebAuthn)
   * before its next session, even where its role may otherwise use TOTP. For a token, which cannot
   * re-authenticate, this revokes it.
   *
   * @param actor the principal id ({@code user:7} or a token id)
   * @return false if there was nothing left to end
   */
  boolean stepUp(String actor, String session, String reason);

  /**
   * Ends every session of the account and locks it until an administrator enables it again; for a
   * token, revokes it (and disables its OAuth client, if any).
   */
  boolean lock(String actor, String session, String reason);
}
