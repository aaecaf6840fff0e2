package health.ward.ledger;

import java.util.Objects;

/**
 * A signed checkpoint that {@link CheckpointVerifier} refuses, with the {@link Reason}.
 *
 * <p>Checked on purpose: a refused checkpoint is an expected outcome of verifying input from
 * elsewhere, and the compiler makes every caller decide what it means (the verify command reports it
 * as a failed verification; code that trusts the ledger maps it to {@code
 * WardException.IntegrityFailure}). It is not in the {@code WardException} family because it
 * describes the input, not a failure of Ward. The message says what is wrong and never includes key
 * material.
 */
public final class CheckpointRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a signed checkpoint was refused. */
  public enum Reason {
    /** The text is not a C2SP signed note: no signature block, bad signature line, control characters. */
    MALFORMED_NOTE,
    /** The note carries no signature by the expected key name and key id. */
    UNKNOWN_KEY,
    /** A signature by the expected key does not verify: the text was altered or signed by another key. */
    BAD_SIGNATURE,
    /** The signed text is not a tlog-checkpoint body. */
    MALFORMED_CHECKPOINT
  }

  private final Reason reason;

  CheckpointRejectedException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the checkpoint was refused. */
  public Reason reason() {
    return reason;
  }
}
