package health.ward.audit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One access, as the records service saw it (NEN 7513: who, for whom, what, when, from where, on
 * what authority, outcome). It holds plain values — the actor's credential, the client's address,
 * the references touched — in memory only: {@link AuditTrail} turns it into a ledger entry ({@link
 * AuditEntry}) of keyed pseudonyms and sealed details before anything is stored.
 *
 * @param actorId who acted: the credential's stable id (e.g. a token id), or "unauthenticated"
 * @param actorName its human-readable name
 * @param actorRole its role code (e.g. "integration", "auditor", "operator", "unauthenticated")
 * @param session the session or credential the request came with, or {@code null} for local commands
 * @param interaction the FHIR interaction, e.g. "read", "search-type", "transaction"
 * @param resourceType the type addressed, or "*" for system-level interactions
 * @param searchShape parameter names of a search, without values (empty otherwise)
 * @param touched every resource the access returned or wrote
 * @param rule the policy rule that decided
 * @param emergency whether access was granted as an emergency (break-the-glass)
 * @param purposeOfUse the HL7 v3 PurposeOfUse code the request declared (default TREAT)
 * @param address the client's network address, or {@code null} for local commands
 * @param userAgent the client's User-Agent, or {@code null}
 */
public record AccessEvent(
    Instant at,
    String actorId,
    String actorName,
    String actorRole,
    String session,
    String interaction,
    String resourceType,
    String searchShape,
    List<Touch> touched,
    Outcome outcome,
    String rule,
    boolean emergency,
    String purposeOfUse,
    String address,
    String userAgent) {

  /** How the access ended. */
  public enum Outcome { ALLOWED, DENIED, FAILED }

  public AccessEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actorId, "actorId");
    Objects.requireNonNull(actorName, "actorName");
    Objects.requireNonNull(actorRole, "actorRole");
    Objects.requireNonNull(interaction, "interaction");
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(searchShape, "searchShape");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(purposeOfUse, "purposeOfUse");
    touched = List.copyOf(touched);
  }
}
