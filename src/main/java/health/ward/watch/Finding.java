package health.ward.watch;

import health.ward.common.Pseudonym;
import java.util.Objects;

/**
 * What one detector saw in one access: how bad, what it proposes to do, and why in words a
 * security officer can check against the ledger.
 *
 * @param patient the patient concerned, or null when the finding is about the actor's behaviour
 */
record Finding(String detector, Severity severity, Response response, Pseudonym patient, String explanation) {
  Finding {
    Objects.requireNonNull(detector, "detector");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(explanation, "explanation");
  }
}
