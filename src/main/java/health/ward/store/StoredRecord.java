package health.ward.store;

import health.ward.common.Pseudonym;
import java.util.Objects;

/**
 * One stored resource version as the store holds it: addressing in the clear, content sealed.
 *
 * @param patient the owning patient's pseudonym, or {@code null} for resources that belong to no patient
 * @param deleted true for the version a delete created; its ciphertext still seals a small marker
 */
public record StoredRecord(
    String type, String id, long version, Pseudonym patient, boolean deleted, byte[] ciphertext) {
  public StoredRecord {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ciphertext, "ciphertext");
    if (version < 1) throw new IllegalArgumentException("version must be >= 1, was " + version);
    ciphertext = ciphertext.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }
}
