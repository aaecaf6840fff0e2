package health.ward.auth;

import health.ward.access.Principal;

/** Turns a presented bearer credential into a principal. */
public interface Authenticator {
  /**
   * Returns the principal for a bearer token, or throws
   * {@link health.ward.common.WardException.Unauthenticated} when it is unknown or revoked. Compares
   * in constant time; never logs the token.
   */
  Principal authenticate(String bearerToken);
}
