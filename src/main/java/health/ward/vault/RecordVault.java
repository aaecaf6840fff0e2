package health.ward.vault;

import health.ward.common.Canonical;
import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.keys.PatientKeyring;
import health.ward.store.StoredRecord;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * The one place resources become ciphertext and back, and where blind-index tokens and keyed
 * pseudonyms are made.
 *
 * <p>Sealing: AES-256-GCM under the patient's data key (Tink), with associated data
 *
 * <pre>
 * AD = Canonical(number 1 (format version), bytes patient pseudonym | absent, text type, text id,
 *                number version)
 * ciphertext = 0x01 | data key id (4) | nonce (12) | encrypted resource | tag (16)
 * </pre>
 *
 * Guarantee: {@link #open} returns the plaintext only for the exact bytes {@link #seal} produced for
 * that (patient, type, id, version); a flipped byte or a ciphertext copied to another row fails with
 * {@link WardException.IntegrityFailure}, never garbage.
 *
 * <p>Pseudonyms and tokens: HMAC-SHA256 (Tink PRF) over a Canonical encoding, truncated to 16 bytes;
 * pseudonyms under one key, each blind index under its own key, so tokens of different indexes
 * cannot be correlated. Thread-safe; keys are unwrapped once and then cached by the keyring.
 */
public final class RecordVault {
  private static final long FORMAT_VERSION = 1;
  private static final int DIGEST_BYTES = Pseudonym.LENGTH;

  private final PatientKeyring keyring;

  public RecordVault(PatientKeyring keyring) {
    this.keyring = Objects.requireNonNull(keyring, "keyring");
  }

  /** Keyed pseudonym of a patient's logical id (16 bytes), stable across restarts and key rotation. */
  public Pseudonym patientPseudonym(String patientId) {
    return pseudonym("patient", patientId);
  }

  /**
   * Keyed pseudonym of any other value in a named domain, e.g. ("resource", "Observation/123"),
   * ("actor", tokenId), ("address", "10.0.0.7"). Different domains never collide.
   */
  public Pseudonym pseudonym(String domain, String value) {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(value, "value");
    byte[] input = Canonical.builder().text(domain).text(value).encode();
    return Pseudonym.of(keyring.pseudonymKey().compute(input, DIGEST_BYTES));
  }

  /**
   * Seals a resource version under the patient's data key ({@code patient == null}: the key for
   * resources of no patient), bound to (format, patient, type, id, version) as associated data.
   */
  public byte[] seal(Pseudonym patient, String type, String id, long version, byte[] plaintext) {
    Objects.requireNonNull(plaintext, "plaintext");
    byte[] ad = associatedData(patient, type, id, version);
    return keyring.dataKey(patient).encrypt(plaintext, ad);
  }

  /**
   * Opens a stored version. Throws IntegrityFailure when the ciphertext was altered or belongs to
   * another row, KeyUnavailable when the data key cannot be had (e.g. shredded).
   */
  public byte[] open(StoredRecord record) {
    Objects.requireNonNull(record, "record");
    byte[] ad = associatedData(record.patient(), record.type(), record.id(), record.version());
    try {
      return keyring.existingDataKey(record.patient()).decrypt(record.ciphertext(), ad);
    } catch (GeneralSecurityException e) {
      throw new WardException.IntegrityFailure(
          "integrity check failed for " + record.type() + "/" + record.id() + "/_history/"
              + record.version());
    }
  }

  /**
   * Seals a detail of an audit entry under the patient's data key ({@code null}: the key for
   * resources of no patient), bound to {@code context} (the entry's own fields, canonical) as
   * associated data: {@code Canonical(text "ward.audit-detail", bytes context)}, which no record's
   * associated data can equal. Shredding the patient makes the detail unreadable, as their records.
   */
  public byte[] sealDetail(Pseudonym patient, byte[] context, byte[] plaintext) {
    Objects.requireNonNull(plaintext, "plaintext");
    return keyring.dataKey(patient).encrypt(plaintext, detailData(context));
  }

  /**
   * Opens an audit detail. Throws IntegrityFailure when it was altered or moved to another entry or
   * patient, KeyUnavailable when the patient's key is gone (shredded).
   */
  public byte[] openDetail(Pseudonym patient, byte[] context, byte[] ciphertext) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    try {
      return keyring.existingDataKey(patient).decrypt(ciphertext, detailData(context));
    } catch (GeneralSecurityException e) {
      throw new WardException.IntegrityFailure("integrity check failed for an audit detail");
    }
  }

  private static byte[] detailData(byte[] context) {
    return Canonical.builder().text("ward.audit-detail").bytes(Objects.requireNonNull(context, "context")).encode();
  }

  /** Blind-index token (16 bytes) for one normalised search value of one parameter of one type. */
  public byte[] token(String resourceType, String parameter, String normalisedValue) {
    Objects.requireNonNull(normalisedValue, "normalisedValue");
    byte[] input =
        Canonical.builder().text(resourceType).text(parameter).text(normalisedValue).encode();
    return keyring.indexKey(resourceType, parameter).compute(input, DIGEST_BYTES);
  }

  /** Associated data of one resource version; the layout is in the class comment. */
  static byte[] associatedData(Pseudonym patient, String type, String id, long version) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    if (version < 1) throw new IllegalArgumentException("version must be >= 1, was " + version);
    return Canonical.builder()
        .number(FORMAT_VERSION)
        .bytes(patient == null ? null : patient.bytes())
        .text(type)
        .text(id)
        .number(version)
        .encode();
  }
}
