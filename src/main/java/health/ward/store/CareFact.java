package health.ward.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A fact about a patient that access decisions rest on, stated by a resource (CareTeam, Encounter,
 * Consent) and stored with it. Holds no plaintext: the subject is a blind token.
 *
 * @param kind {@code care-team}, {@code encounter}, {@code admitted} or {@code consent-deny}
 * @param subject the blind token of the actor or purpose it names; {@code null} only for a consent
 *     that denies everyone
 * @param until when it stops holding, or {@code null} while open
 */
public record CareFact(String kind, byte[] subject, Instant until) {
  public static final String CARE_TEAM = "care-team";
  public static final String ENCOUNTER = "encounter";
  public static final String ADMITTED = "admitted";
  public static final String CONSENT_DENY = "consent-deny";

  public CareFact {
    Objects.requireNonNull(kind, "kind");
    if (!kind.equals(CARE_TEAM) && !kind.equals(ENCOUNTER) && !kind.equals(ADMITTED) && !kind.equals(CONSENT_DENY)) {
      throw new IllegalArgumentException("unknown care fact kind " + kind);
    }
    if (subject == null && !kind.equals(CONSENT_DENY)) throw new IllegalArgumentException(kind + " needs a subject");
    subject = subject == null ? null : subject.clone();
  }

  @Override
  public byte[] subject() {
    return subject == null ? null : subject.clone();
  }
}
