package health.ward.store;

import health.ward.common.Pseudonym;
import java.util.List;
import java.util.Objects;

/**
 * A new version to store. Version 1 creates the resource (it must not exist); version n &gt; 1
 * requires the current version to be n-1, otherwise the whole write fails with
 * {@link health.ward.common.WardException.VersionConflict}.
 *
 * @param tokens the blind-index tokens the new current version is found by; ignored when deleted
 * @param facts the care facts the new current version states, replacing the resource's earlier
 *     ones; {@code null} for types that state none (then nothing is replaced)
 * @param markers the person markers the new current version states (Patient, Practitioner),
 *     replacing its earlier ones; {@code null} for types that state none
 */
public record VersionWrite(
    String type,
    String id,
    long version,
    Pseudonym patient,
    boolean deleted,
    byte[] ciphertext,
    List<byte[]> tokens,
    List<CareFact> facts,
    List<PersonMarker> markers) {
  public VersionWrite(
      String type, String id, long version, Pseudonym patient, boolean deleted, byte[] ciphertext, List<byte[]> tokens) {
    this(type, id, version, patient, deleted, ciphertext, tokens, null, null);
  }

  public VersionWrite {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ciphertext, "ciphertext");
    if (version < 1) throw new IllegalArgumentException("version must be >= 1, was " + version);
    ciphertext = ciphertext.clone();
    tokens = tokens == null ? List.of() : tokens.stream().map(byte[]::clone).toList();
    facts = facts == null ? null : List.copyOf(facts);
    markers = markers == null ? null : List.copyOf(markers);
  }
}
