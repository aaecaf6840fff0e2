package health.ward.audit;

import health.ward.common.Canonical;
import health.ward.common.Pseudonym;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One access, as the ledger records it (NEN 7513: who, for whom, what, when, from where, on what
 * authority, outcome). Holds pseudonyms and shapes only: no names, identifiers or search values.
 *
 * @param actor pseudonym of the credential that acted
 * @param interaction the FHIR interaction, e.g. "read", "search-type", "transaction"
 * @param resourceType the type addressed, or "*" for system-level interactions
 * @param searchShape parameter names of a search, without values (empty otherwise)
 * @param touched every resource the access returned or wrote
 * @param rule the policy rule that decided
 * @param address pseudonym of the client address, or {@code null} for local commands
 */
public record AccessEvent(
    Instant at,
    Pseudonym actor,
    String interaction,
    String resourceType,
    String searchShape,
    List<Touch> touched,
    Outcome outcome,
    String rule,
    Pseudonym address) {

  /** How the access ended. */
  public enum Outcome { ALLOWED, DENIED, FAILED }

  private static final long FORMAT = 1;

  public AccessEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(interaction, "interaction");
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(searchShape, "searchShape");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(rule, "rule");
    touched = List.copyOf(touched);
  }

  /**
   * The canonical ledger entry for this event: {@link Canonical} fields in this order —
   * text "ward.access", number format (1), number time (epoch ms), bytes actor pseudonym, text
   * interaction, text resource type, text search shape, text outcome, text rule, bytes address
   * pseudonym (absent for local commands), number count of touches, then per touch: bytes patient
   * pseudonym (absent for resources of no patient), text resource type, bytes resource pseudonym.
   */
  public byte[] encode() {
    Canonical c =
        Canonical.builder()
            .text("ward.access")
            .number(FORMAT)
            .instant(at)
            .bytes(actor.bytes())
            .text(interaction)
            .text(resourceType)
            .text(searchShape)
            .text(outcome.name())
            .text(rule)
            .bytes(address == null ? null : address.bytes())
            .number(touched.size());
    for (Touch t : touched) {
      c.bytes(t.patient() == null ? null : t.patient().bytes())
          .text(t.resourceType())
          .bytes(t.resource().bytes());
    }
    return c.encode();
  }
}
