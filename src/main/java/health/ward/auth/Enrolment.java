package health.ward.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A one-time enrolment link's secret: given once to the person who will use it (to set a password
 * and register a second factor), stored only as its SHA-256.
 */
public record Enrolment(String username, TokenSecret secret, Instant expires) {
  public Enrolment {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(expires, "expires");
  }

  /** The link to open, under {@code baseUrl} (e.g. https://ward.example:8443). */
  public String link(String baseUrl) {
    return baseUrl + "/enrol#" + secret.reveal();
  }
}
