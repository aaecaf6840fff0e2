package health.ward.ledger;

import health.ward.crypto.NoteVerifierKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks signed checkpoints against one trusted Ed25519 verifier key, following C2SP signed-note:
 * signature lines by other keys (another name or key id) are ignored; every line by the trusted key
 * must verify; at least one must be present. Only then is the text parsed as a checkpoint.
 *
 * <p>It does not compare the checkpoint's origin with the key name (the specification only
 * recommends that they match), nor check the root against anything: that is what proofs are for.
 * Immutable and thread-safe.
 */
public final class CheckpointVerifier {
  private final NoteVerifierKey key;

  /** A verifier trusting {@code key}. */
  public CheckpointVerifier(NoteVerifierKey key) {
    this.key = Objects.requireNonNull(key, "key");
  }

  /**
   * A verifier trusting the key in {@code verifierKey}, {@code <name>+<8 hex key id>+<base64(0x01
   * || 32-byte public key)>}.
   *
   * @throws IllegalArgumentException the string is not an Ed25519 verifier key, with the reason
   */
  public static CheckpointVerifier fromVerifierKey(String verifierKey) {
    return new CheckpointVerifier(NoteVerifierKey.parse(verifierKey));
  }

  /** The trusted key. */
  public NoteVerifierKey key() {
    return key;
  }

  /**
   * The checkpoint in {@code signedNote}, once its signature by the trusted key verifies.
   *
   * @throws CheckpointRejectedException MALFORMED_NOTE, UNKNOWN_KEY (no signature by this key),
   *     BAD_SIGNATURE, or MALFORMED_CHECKPOINT (signed, but not a checkpoint body)
   */
  public Checkpoint verify(String signedNote) throws CheckpointRejectedException {
    String text = verifyNote(signedNote);
    try {
      return Checkpoint.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CheckpointRejectedException(
          CheckpointRejectedException.Reason.MALFORMED_CHECKPOINT,
          "the note signed by " + signer() + " is not a checkpoint: " + e.getMessage());
    }
  }

  /** {@link #verify(String)} of bytes, which must be valid UTF-8 (else MALFORMED_NOTE). */
  public Checkpoint verify(byte[] signedNote) throws CheckpointRejectedException {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(signedNote))
              .toString();
      return verify(text);
    } catch (CharacterCodingException e) {
      throw new CheckpointRejectedException(
          CheckpointRejectedException.Reason.MALFORMED_NOTE, "malformed signed note: it is not valid UTF-8");
    }
  }

  /**
   * The signed text of {@code signedNote} (ending in "\n", without the signatures), once its
   * signature by the trusted key verifies; the note layer of {@link #verify(String)}.
   *
   * @throws CheckpointRejectedException MALFORMED_NOTE, UNKNOWN_KEY or BAD_SIGNATURE
   */
  public String verifyNote(String signedNote) throws CheckpointRejectedException {
    Objects.requireNonNull(signedNote, "signedNote");
    SignedNote note = SignedNote.parse(signedNote);
    byte[] message = note.text().getBytes(StandardCharsets.UTF_8);
    int id = key.keyId();
    boolean verified = false;
    List<String> others = new ArrayList<>();
    for (SignedNote.Signature s : note.signatures()) {
      if (!s.keyName().equals(key.name()) || s.keyId() != id) {
        others.add(s.signer());
        continue;
      }
      if (!key.verify(s.signature(), message)) {
        throw new CheckpointRejectedException(
            CheckpointRejectedException.Reason.BAD_SIGNATURE,
            "the signature by " + signer() + " does not verify: the note was altered or not signed"
                + " by this key");
      }
      verified = true;
    }
    if (!verified) {
      throw new CheckpointRejectedException(
          CheckpointRejectedException.Reason.UNKNOWN_KEY,
          "the note has no signature by " + signer() + "; it is signed by " + String.join(", ", others));
    }
    return note.text();
  }

  private String signer() {
    return key.name() + "+" + String.format("%08x", key.keyId());
  }

  @Override
  public String toString() {
    return "CheckpointVerifier[" + key.encode() + "]";
  }
}
