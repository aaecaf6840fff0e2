package health.ward.ledger;

import java.util.Objects;

/** The outcome of {@link ChainVerifier}: the ledger is intact, or the first place it is broken. */
public sealed interface ChainVerification {

  /** Every row checked out; {@code head} is the recomputed state after the last row. */
  record Intact(ChainHead head) implements ChainVerification {
    public Intact {
      Objects.requireNonNull(head, "head");
    }
  }

  /**
   * The first broken index and why.
   *
   * @param index the first index at which the stored ledger departs from a valid chain
   */
  record Broken(long index, Fault fault, String detail) implements ChainVerification {
    public Broken {
      Objects.requireNonNull(fault, "fault");
      Objects.requireNonNull(detail, "detail");
      if (index < 0) throw new IllegalArgumentException("index must be >= 0, was " + index);
    }
  }

  /** What was wrong at the broken index. */
  enum Fault {
    /** The row with this index is missing (a row was removed or indexes renumbered). */
    GAP,
    /** The stored leaf hash is not SHA-256(0x00 || entry): the entry or its leaf was changed. */
    LEAF_MISMATCH,
    /** The stored chain hash does not follow from the previous one: rows were changed, reordered or inserted. */
    CHAIN_MISMATCH,
    /** Fewer rows than a trusted earlier head had, or a different hash at that head's size. */
    HEAD_MISMATCH
  }

  default boolean intact() {
    return this instanceof Intact;
  }
}
