package health.ward.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.signature.Ed25519PrivateKey;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.subtle.Ed25519Sign;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An Ed25519 private key (Tink, RFC 8032) that makes plain 64-byte signatures, with no Tink output
 * prefix: what C2SP signed notes carry.
 *
 * <p>The secret is the 32-byte RFC 8032 seed; {@link #toSecretSeed()} exports it for wrapping and
 * nothing else. {@link #toString()} shows only the public key. Immutable and thread-safe.
 */
public final class Ed25519SigningKey {
  /** Length of the seed and of the public key, in bytes. */
  public static final int KEY_LENGTH = 32;

  private final byte[] seed;
  private final byte[] publicKey;
  private final PublicKeySign signer;

  private Ed25519SigningKey(byte[] seed) throws GeneralSecurityException {
    if (seed.length != KEY_LENGTH) {
      throw new GeneralSecurityException("an Ed25519 seed is " + KEY_LENGTH + " bytes");
    }
    this.seed = seed.clone();
    this.publicKey = Ed25519Sign.KeyPair.newKeyPairFromSeed(this.seed).getPublicKey();
    Ed25519PrivateKey key =
        Ed25519PrivateKey.create(
            Ed25519PublicKey.create(Bytes.copyFrom(publicKey)),
            SecretBytes.copyFrom(this.seed, InsecureSecretKeyAccess.get()));
    this.signer = Ed25519Sign.create(key);
  }

  /** A new key from 32 bytes of {@code random}. */
  public static Ed25519SigningKey generate(SecureRandom random) {
    byte[] seed = new byte[KEY_LENGTH];
    random.nextBytes(seed);
    try {
      return new Ed25519SigningKey(seed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not make an Ed25519 key", e);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /**
   * The key whose RFC 8032 seed is {@code seed}, as exported by {@link #toSecretSeed()}.
   *
   * @throws GeneralSecurityException the seed is not 32 bytes
   */
  public static Ed25519SigningKey fromSecretSeed(byte[] seed) throws GeneralSecurityException {
    return new Ed25519SigningKey(Objects.requireNonNull(seed, "seed"));
  }

  /** Secret: a copy of the 32-byte seed. Wrap it at once; never store it bare. */
  public byte[] toSecretSeed() {
    return seed.clone();
  }

  /** The 32-byte RFC 8032 public key (a copy). */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The 64-byte RFC 8032 signature of {@code message}. */
  public byte[] sign(byte[] message) {
    Objects.requireNonNull(message, "message");
    try {
      return signer.sign(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  @Override
  public String toString() {
    return "Ed25519SigningKey[public=" + HexFormat.of().formatHex(publicKey) + "]";
  }
}
