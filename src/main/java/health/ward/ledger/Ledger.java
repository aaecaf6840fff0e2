package health.ward.ledger;

/**
 * The append-only audit ledger. An entry is opaque canonical bytes; the ledger chains or trees them
 * so that any later change, removal, reordering or insertion is detectable.
 */
public interface Ledger extends AutoCloseable {

  /**
   * Appends one entry and returns its index once it is durable (committed and flushed). Concurrent
   * callers are group-committed. Throws {@link health.ward.common.WardException.LedgerUnavailable}
   * when the entry could not be made durable; the caller must then refuse the request.
   */
  long append(byte[] entry);

  /** An appended entry on its way to the disk. */
  @FunctionalInterface
  interface Durable {
    /** Blocks until the entry is durable and returns its index; LedgerUnavailable if it cannot be. */
    long await();
  }

  /**
   * Starts appending one entry and returns without waiting for the disk; the caller must {@link
   * Durable#await} before it lets anything depend on the entry being recorded (an answer with
   * patient data, a write). Throws LedgerUnavailable at once if the entry cannot even be queued.
   * By default, the synchronous {@link #append}.
   */
  default Durable appendAsync(byte[] entry) {
    long index = append(entry);
    return () -> index;
  }

  /** Number of durable entries. */
  long size();

  @Override
  void close();
}
