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

  /** Number of durable entries. */
  long size();

  @Override
  void close();
}
