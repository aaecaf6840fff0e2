package health.ward.audit;

import health.ward.common.Pseudonym;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The sealed details of an {@link AuditEntry}, opened for someone allowed to read them.
 *
 * @param actorId the credential's id (e.g. the token id)
 * @param actorName its name
 * @param session the session or credential the request came with, or {@code null}
 * @param address the client address, or {@code null}
 * @param userAgent the client's User-Agent, or {@code null}
 * @param references per patient pseudonym, the references ("Type/id") touched for that patient
 * @param unownedReferences references to resources of no patient
 * @param unreadable patients whose details can no longer be opened (their key was shredded)
 */
public record AuditDetails(
    String actorId,
    String actorName,
    String session,
    String address,
    String userAgent,
    Map<Pseudonym, List<String>> references,
    List<String> unownedReferences,
    Set<Pseudonym> unreadable) {
  public AuditDetails {
    Objects.requireNonNull(actorId, "actorId");
    Objects.requireNonNull(actorName, "actorName");
    references = Map.copyOf(references);
    unownedReferences = List.copyOf(unownedReferences);
    unreadable = Set.copyOf(unreadable);
  }
}
