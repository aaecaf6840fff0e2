package health.ward.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An AES-256-GCM key derived from a passphrase with Argon2id (RFC 9106, Bouncy Castle), used only to
 * encrypt the key-encryption keyset on disk. Tink has no passphrase KDF, hence Bouncy Castle here;
 * the cipher itself is still Tink's.
 *
 * <p>Guarantee: the key depends on the passphrase, the salt and every cost parameter; guessing the
 * passphrase costs one full Argon2id evaluation per guess. The passphrase is UTF-8 encoded and the
 * caller's array is not kept. {@link #toString()} shows no key material.
 */
public final class Argon2idKey {
  private final Aead aead;

  private Argon2idKey(Aead aead) {
    this.aead = aead;
  }

  /** Derives the key; takes about as long as the parameters say (one Argon2id evaluation). */
  public static Argon2idKey derive(char[] passphrase, Argon2idParameters params) {
    Objects.requireNonNull(passphrase, "passphrase");
    Objects.requireNonNull(params, "params");
    TinkRuntime.ensure();
    byte[] key = PasswordHash.derive(passphrase, params, 32);
    try {
      AesGcmParameters p =
          AesGcmParameters.builder()
              .setKeySizeBytes(32)
              .setIvSizeBytes(12)
              .setTagSizeBytes(16)
              .setVariant(AesGcmParameters.Variant.NO_PREFIX)
              .build();
      AesGcmKey k =
          AesGcmKey.builder()
              .setParameters(p)
              .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
              .build();
      return new Argon2idKey(AesGcmJce.create(k));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not build the passphrase key", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  Aead aead() {
    return aead;
  }

  @Override
  public String toString() {
    return "Argon2idKey[AES-256-GCM]";
  }
}
