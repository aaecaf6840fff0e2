package health.ward.auth;

import java.util.Objects;

/** The identity parts the HTTP layer serves: sign-in and enrolment, clients, administration. */
public record Identity(SignIn signIn, Clients clients, Admin admin, ApiTokens tokens, StaffDirectory directory) {
  public Identity {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(signIn, "signIn");
    Objects.requireNonNull(clients, "clients");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(tokens, "tokens");
  }
}
