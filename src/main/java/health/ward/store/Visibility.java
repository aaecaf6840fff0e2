package health.ward.store;

import health.ward.common.Pseudonym;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Narrows a search to the patients a principal may see: resources of no patient, patients named by
 * an emergency grant, and — when {@code requireRelationship} — only patients with a care fact whose
 * subject is one of {@code subjects} and that still holds; always minus patients with a consent
 * denial naming one of {@code denySubjects} or everyone (emergency grants excepted).
 *
 * @param encounterCutoff an encounter relationship holds if it ended at or after this instant
 * @param now other relationships and denials hold if they end at or after this instant
 */
public record Visibility(
    boolean requireRelationship, List<byte[]> subjects, Instant now, Instant encounterCutoff,
    List<byte[]> denySubjects, List<Pseudonym> emergency) {
  public Visibility {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(encounterCutoff, "encounterCutoff");
    subjects = subjects.stream().map(byte[]::clone).toList();
    denySubjects = denySubjects.stream().map(byte[]::clone).toList();
    emergency = List.copyOf(emergency);
  }
}
