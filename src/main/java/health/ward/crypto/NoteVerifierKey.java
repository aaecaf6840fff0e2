package health.ward.crypto;

import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.subtle.Ed25519Verify;
import com.google.crypto.tink.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The public half of an Ed25519 key that signs C2SP signed notes (https://c2sp.org/signed-note),
 * with its key name, and its text form, the verifier key:
 *
 * <pre>
 * verifier key = key name "+" hex8(key id) "+" base64(0x01 || 32-byte public key)
 * key id       = first 4 bytes, big-endian, of SHA-256(key name || 0x0A || 0x01 || public key)
 * </pre>
 *
 * A key name is non-empty UTF-8 without Unicode spaces, control characters or "+". Verification
 * follows RFC 8032 (Tink); it says nothing about who holds the key, only that its holder signed.
 */
public record NoteVerifierKey(String name, byte[] publicKey) {
  /** The signed-note signature type of Ed25519. */
  public static final byte ED25519 = 0x01;

  /** Checks the name and the 32-byte key; copies the key. */
  public NoteVerifierKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(publicKey, "publicKey");
    if (!isValidKeyName(name)) {
      throw new IllegalArgumentException(
          "a key name must be non-empty, without spaces, control characters or '+'");
    }
    if (publicKey.length != Ed25519SigningKey.KEY_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, was " + publicKey.length);
    }
    publicKey = publicKey.clone();
  }

  /** The verifier for {@code key} under {@code name}. */
  public static NoteVerifierKey of(String name, Ed25519SigningKey key) {
    return new NoteVerifierKey(name, key.publicKey());
  }

  /**
   * Parses a verifier key string.
   *
   * @throws IllegalArgumentException with the reason: not three "+"-separated parts, bad name, key
   *     id not 8 hex digits, bad base64, not an Ed25519 key, or a key id that does not match
   */
  public static NoteVerifierKey parse(String vkey) {
    Objects.requireNonNull(vkey, "vkey");
    // The base64 key may itself contain "+": the name and the id end at the first two.
    String[] parts = vkey.split("\\+", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("a verifier key has the form <name>+<key id>+<key>");
    }
    if (!isValidKeyName(parts[0])) {
      throw new IllegalArgumentException("the verifier key's name is not a valid key name");
    }
    if (!parts[1].matches("[0-9a-f]{8}")) {
      throw new IllegalArgumentException("the verifier key's id is not 8 lowercase hex digits");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the verifier key's key is not valid base64");
    }
    if (key.length != 1 + Ed25519SigningKey.KEY_LENGTH || key[0] != ED25519) {
      throw new IllegalArgumentException("the verifier key is not an Ed25519 key (type 0x01, 32 bytes)");
    }
    NoteVerifierKey parsed = new NoteVerifierKey(parts[0], Arrays.copyOfRange(key, 1, key.length));
    if (parsed.keyId() != Integer.parseUnsignedInt(parts[1], 16)) {
      throw new IllegalArgumentException("the verifier key's id does not match its name and key");
    }
    return parsed;
  }

  /** The 32-bit key id of this name and key. */
  public int keyId() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(name.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0x0A);
      d.update(ED25519);
      d.update(publicKey);
      byte[] h = d.digest();
      return (h[0] & 0xff) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | (h[3] & 0xff);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
  }

  /** The verifier key string. */
  public String encode() {
    byte[] key = new byte[1 + publicKey.length];
    key[0] = ED25519;
    System.arraycopy(publicKey, 0, key, 1, publicKey.length);
    return name + "+" + String.format("%08x", keyId()) + "+" + Base64.getEncoder().encodeToString(key);
  }

  /** True when {@code signature} is this key's valid RFC 8032 signature of {@code message}. */
  public boolean verify(byte[] signature, byte[] message) {
    if (signature == null || message == null) return false;
    try {
      Ed25519Verify.create(Ed25519PublicKey.create(Bytes.copyFrom(publicKey))).verify(signature, message);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A copy of the 32-byte public key. */
  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** Non-empty, valid UTF-16 (so valid UTF-8), without Unicode spaces, control characters or '+'. */
  public static boolean isValidKeyName(String name) {
    if (name == null || name.isEmpty()) return false;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      if ((cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)
          || Character.isISOControl(cp)
          || Character.isWhitespace(cp)
          || Character.isSpaceChar(cp)
          || cp == '+') {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoteVerifierKey k && k.name.equals(name) && Arrays.equals(k.publicKey, publicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return encode();
  }
}
