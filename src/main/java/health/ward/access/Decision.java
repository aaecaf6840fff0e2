package health.ward.access;

import java.util.Objects;

/**
 * The policy's answer. {@code rule} names the rule that decided, recorded in the ledger as the
 * authority for the access; {@code reason} explains a denial.
 */
public record Decision(boolean allowed, String rule, String reason) {
  public Decision {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(reason, "reason");
  }

  public static Decision allow(String rule) {
    return new Decision(true, rule, "allowed");
  }

  public static Decision deny(String rule, String reason) {
    return new Decision(false, rule, reason);
  }
}
