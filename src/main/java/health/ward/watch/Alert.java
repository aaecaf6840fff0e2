package health.ward.watch;

import java.time.Instant;
import java.util.Objects;

/**
 * A detector's finding about one actor, as security officers see it. Holds no PHI: the patient is
 * named by its keyed pseudonym (hex), the actor by its account name; the explanation says what was
 * seen in counts, rules and times.
 *
 * @param id the alert's number
 * @param at when the access that raised it happened
 * @param detector the detector's name, e.g. {@code bulk-access}
 * @param severity how much it matters
 * @param actor the account or credential, as ledger entries name it ({@code user:7}, {@code 12})
 * @param actorName its human-readable name
 * @param role the actor's role code
 * @param session the session or token it came with ({@code session:42}), or null
 * @param address the client address of the access
 * @param patient the pseudonym (hex) of the patient concerned, or null
 * @param explanation why the detector fired, in a sentence or two
 * @param response what Ward did
 * @param ledgerIndex the ledger entry that records the alert
 * @param status {@code open}, {@code acknowledged} or {@code closed}
 * @param verdict how a security officer closed it ({@code true-positive}, {@code false-positive},
 *     {@code benign}), or null
 * @param handledBy who acknowledged or closed it, or null
 * @param count how many findings of the same detector about the same actor and patient it stands
 *     for (repeats are counted in the database every 10 s, so it may lag by that much)
 */
public record Alert(
    long id,
    Instant at,
    String detector,
    Severity severity,
    String actor,
    String actorName,
    String role,
    String session,
    String address,
    String patient,
    String explanation,
    Response response,
    long ledgerIndex,
    String status,
    String verdict,
    String handledBy,
    int count) {
  public Alert {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(detector, "detector");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(actorName, "actorName");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(explanation, "explanation");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(status, "status");
  }
}
