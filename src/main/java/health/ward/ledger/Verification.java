package health.ward.ledger;

import java.util.Objects;

/** The outcome of {@link LedgerVerifier#verify}: intact, or broken at a named index. */
public sealed interface Verification {

  /** What was found wrong. */
  enum Fault {
    /** A batch is missing, inserted or moved: indexes are not contiguous from 0. */
    GAP,
    /** A stored batch cannot be read as entries. */
    MALFORMED,
    /** An entry's leaf hash differs from the stored one: the entry was changed. */
    LEAF_MISMATCH,
    /** A stored inner subtree hash differs from the one recomputed from the entries. */
    NODE_MISMATCH,
    /** A checkpoint's signature does not verify, or its text is not a checkpoint of this log. */
    BAD_CHECKPOINT,
    /** The tree recomputed from the entries has another root than a signed checkpoint of that size. */
    CHECKPOINT_MISMATCH,
    /** A signed checkpoint covers more entries than are stored: truncated or rolled back. */
    TRUNCATED
  }

  /** Verification passed: the recomputed head, and how many signed checkpoints it matched. */
  record Intact(TreeHead head, int checkpoints) implements Verification {
    public Intact {
      Objects.requireNonNull(head, "head");
    }
  }

  /**
   * Verification failed. {@code index} is the first entry index that is not proven: every entry
   * before it is intact.
   */
  record Broken(long index, Fault fault, String detail) implements Verification {
    public Broken {
      Objects.requireNonNull(fault, "fault");
      Objects.requireNonNull(detail, "detail");
    }
  }

  default boolean intact() {
    return this instanceof Intact;
  }
}
