package health.ward.access;

import java.util.Objects;

/**
 * The policy's answer. {@code rule} names the rule that decided, recorded in the ledger as the
 * authority for the access; {@code reason} explains a denial; {@code reach} says which patients'
 * records an allowed search may return; {@code emergency} marks access by break-the-glass.
 */
public record Decision(boolean allowed, String rule, String reason, Reach reach, boolean emergency) {
  /** Whose records an allowed access may touch. */
  public enum Reach {
    /** Every patient, consent notwithstanding (the local operator). */
    EVERY_PATIENT,
    /** Every patient except those whose consent denies this principal or purpose. */
    UNLESS_CONSENT_DENIES,
    /** Only patients a care relationship (or an emergency grant) explains, and consent allows. */
    RELATED_PATIENTS
  }

  public Decision {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(reach, "reach");
  }

  public static Decision allow(String rule, Reach reach) {
    return new Decision(true, rule, "allowed", reach, false);
  }

  public static Decision allow(String rule) {
    return allow(rule, Reach.EVERY_PATIENT);
  }

  public static Decision emergency(String rule) {
    return new Decision(true, rule, "allowed in an emergency", Reach.RELATED_PATIENTS, true);
  }

  public static Decision deny(String rule, String reason) {
    return new Decision(false, rule, reason, Reach.RELATED_PATIENTS, false);
  }
}
