package health.ward.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * An AES-256-GCM keyset (Tink AEAD): authenticated encryption with associated data.
 *
 * <p>Guarantee: {@link #decrypt} returns the plaintext only for a ciphertext this keyset made with
 * exactly the same associated data; any altered byte, other associated data or other keyset makes
 * it throw {@link GeneralSecurityException}, never return garbage. Every ciphertext begins with
 * Tink's 5-byte prefix (0x01 and the big-endian key id), so it names the key that made it:
 *
 * <pre>
 * ciphertext = 0x01 | key id (4) | nonce (12, random) | encrypted plaintext | GCM tag (16)
 * </pre>
 *
 * Random 96-bit nonces: a key should seal fewer than 2^32 messages (NIST SP 800-38D); per-patient
 * data keys stay far below that. Instances are immutable and thread-safe; rotation returns new ones.
 */
public final class AesGcmKeyset {
  private final KeysetHandle handle;
  private final Aead aead;

  private AesGcmKeyset(KeysetHandle handle) throws GeneralSecurityException {
    this.handle = handle;
    this.aead = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
  }

  /** A new keyset holding one fresh AES-256-GCM key (from Tink's own SecureRandom). */
  public static AesGcmKeyset generate() {
    TinkRuntime.ensure();
    try {
      return new AesGcmKeyset(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not generate an AES-256-GCM key", e);
    }
  }

  /** Parses key material made by {@link #toSecretBytes()}; throws if it is not an AES-GCM keyset. */
  public static AesGcmKeyset fromSecretBytes(byte[] keyset) throws GeneralSecurityException {
    TinkRuntime.ensure();
    return checked(TinkProtoKeysetFormat.parseKeyset(keyset, InsecureSecretKeyAccess.get()));
  }

  /** Parses a plaintext Tink JSON keyset. */
  public static AesGcmKeyset fromSecretJson(String json) throws GeneralSecurityException {
    TinkRuntime.ensure();
    return checked(TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
  }

  /** Parses a Tink JSON keyset encrypted under {@code wrapping} with {@code associatedData}. */
  public static AesGcmKeyset fromEncryptedJson(String json, Argon2idKey wrapping, byte[] associatedData)
      throws GeneralSecurityException {
    TinkRuntime.ensure();
    return checked(
        TinkJsonProtoKeysetFormat.parseEncryptedKeyset(json, wrapping.aead(), associatedData));
  }

  private static AesGcmKeyset checked(KeysetHandle handle) throws GeneralSecurityException {
    for (int i = 0; i < handle.size(); i++) {
      if (!(handle.getAt(i).getKey() instanceof com.google.crypto.tink.aead.AesGcmKey)) {
        throw new GeneralSecurityException("not an AES-GCM keyset");
      }
    }
    return new AesGcmKeyset(handle);
  }

  /** Secret: the serialized keyset (Tink binary format). Wrap it at once; never store it bare. */
  public byte[] toSecretBytes() {
    try {
      return TinkProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not serialize a keyset", e);
    }
  }

  /** Secret: the keyset as plaintext Tink JSON. */
  public String toSecretJson() {
    try {
      return TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not serialize a keyset", e);
    }
  }

  /** The keyset as Tink JSON, encrypted under {@code wrapping} and bound to {@code associatedData}. */
  public String toEncryptedJson(Argon2idKey wrapping, byte[] associatedData) {
    try {
      return TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(
          handle, wrapping.aead(), associatedData);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not encrypt a keyset", e);
    }
  }

  /** Encrypts under the primary key, bound to {@code associatedData}. */
  public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(associatedData, "associatedData");
    try {
      return aead.encrypt(plaintext, associatedData);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts with whichever key of this keyset the ciphertext names.
   *
   * @throws GeneralSecurityException "decryption failed" when the ciphertext was altered, belongs to
   *     other associated data, or was made by a key not in this keyset
   */
  public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(associatedData, "associatedData");
    return aead.decrypt(ciphertext, associatedData);
  }

  /** This keyset plus one new AES-256-GCM key, which becomes primary; the old keys still decrypt. */
  public AesGcmKeyset withNewPrimary() {
    try {
      KeysetHandle next =
          KeysetHandle.newBuilder(handle)
              .addEntry(
                  KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                      .withRandomId()
                      .makePrimary())
              .build();
      return new AesGcmKeyset(next);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not add a key", e);
    }
  }

  /** This keyset reduced to its primary key: what the other keys encrypted no longer decrypts. */
  public AesGcmKeyset withOnlyPrimary() {
    try {
      KeysetHandle.Builder b = KeysetHandle.newBuilder(handle);
      for (int i = b.size() - 1; i >= 0; i--) {
        if (!b.getAt(i).isPrimary()) b.deleteAt(i);
      }
      return new AesGcmKeyset(b.build());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not remove a key", e);
    }
  }

  /** Number of keys in the keyset (2 while a rotation is under way). */
  public int size() {
    return handle.size();
  }

  /** Id of the primary key, as it appears in bytes 1..4 of every new ciphertext. */
  public int primaryKeyId() {
    return handle.getPrimary().getId();
  }

  @Override
  public String toString() {
    return "AesGcmKeyset[keys=" + handle.size() + ", primary=" + Integer.toUnsignedString(primaryKeyId(), 16) + "]";
  }
}
