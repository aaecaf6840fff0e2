package health.ward.access;

/**
 * Ends a session or token at once, for whatever decides it must die: an administrator, or a
 * detector watching the access stream. The credential's next request fails. Implementations
 * record each revocation, with its reason, in the ledger.
 */
public interface Revocation {
  /**
   * Revokes the credential an access came with, named as accesses name it: {@code session:42} for
   * a staff session, {@code token:7} for a token.
   *
   * @return false if it is not (or no longer) active
   * @throws IllegalArgumentException if {@code session} names no credential in either form
   */
  boolean revoke(String session, String reason);
}
