package health.ward.vault;

import health.ward.common.Pseudonym;
import health.ward.store.StoredRecord;

/**
 * The one place resources become ciphertext and back, and where blind-index tokens and keyed
 * pseudonyms are made. SKELETON: the crypto/keys work fills this in.
 */
public final class RecordVault {

  /** Keyed pseudonym of a patient's logical id (16 bytes), stable across restarts and key rotation. */
  public Pseudonym patientPseudonym(String patientId) {
    throw new UnsupportedOperationException("skeleton");
  }

  /**
   * Keyed pseudonym of any other value in a named domain, e.g. ("resource", "Observation/123"),
   * ("actor", tokenId), ("address", "10.0.0.7"). Different domains never collide.
   */
  public Pseudonym pseudonym(String domain, String value) {
    throw new UnsupportedOperationException("skeleton");
  }

  /**
   * Seals a resource version under the patient's data key ({@code patient == null}: the key for
   * resources of no patient), bound to (format, patient, type, id, version) as associated data.
   */
  public byte[] seal(Pseudonym patient, String type, String id, long version, byte[] plaintext) {
    throw new UnsupportedOperationException("skeleton");
  }

  /**
   * Opens a stored version. Throws IntegrityFailure when the ciphertext was altered or belongs to
   * another row, KeyUnavailable when the data key cannot be had (e.g. shredded).
   */
  public byte[] open(StoredRecord record) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Blind-index token (16 bytes) for one normalised search value of one parameter of one type. */
  public byte[] token(String resourceType, String parameter, String normalisedValue) {
    throw new UnsupportedOperationException("skeleton");
  }
}
