package health.ward.ledger;

import health.ward.crypto.Ed25519SigningKey;
import health.ward.crypto.NoteVerifierKey;
import health.ward.keys.CheckpointKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Signs checkpoints as C2SP signed notes with one Ed25519 key: the checkpoint body, a blank line,
 * and one line {@code "— <key name> base64(key id || 64-byte signature)"}. Anyone holding {@link
 * #verifierKey()} can check the result with {@link CheckpointVerifier} or any signed-note tool.
 * Immutable and thread-safe.
 */
public final class CheckpointSigner {
  private final Ed25519SigningKey key;
  private final NoteVerifierKey verifier;

  /**
   * @throws IllegalArgumentException {@code keyName} is not a valid signed-note key name
   */
  public CheckpointSigner(String keyName, Ed25519SigningKey key) {
    this.key = Objects.requireNonNull(key, "key");
    this.verifier = NoteVerifierKey.of(keyName, key);
  }

  /** The signer for the ledger's checkpoint key. */
  public static CheckpointSigner of(CheckpointKey key) {
    return new CheckpointSigner(key.keyName(), key.signingKey());
  }

  /** The signed note of {@code checkpoint}. */
  public String sign(Checkpoint checkpoint) {
    return signNote(checkpoint.body());
  }

  /** The signed note of any {@code text} ending in "\n". */
  String signNote(String text) {
    byte[] signature = key.sign(text.getBytes(StandardCharsets.UTF_8));
    return SignedNote.format(
        text, List.of(new SignedNote.Signature(verifier.name(), verifier.keyId(), signature)));
  }

  /** The key name in the signature lines. */
  public String keyName() {
    return verifier.name();
  }

  /** The verifier key string, {@code <name>+<key id>+<base64(0x01 || public key)>}. */
  public String verifierKey() {
    return verifier.encode();
  }

  /** A verifier for this signer's notes. */
  public CheckpointVerifier verifier() {
    return new CheckpointVerifier(verifier);
  }

  @Override
  public String toString() {
    return "CheckpointSigner[" + verifier.encode() + "]";
  }
}
