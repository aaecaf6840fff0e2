package health.ward.ledger;

import health.ward.common.WardException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;
import javax.sql.DataSource;
import org.postgresql.PGStatement;

/**
 * Offline check of a stored ledger: streams every batch in index order, recomputes every leaf and
 * every subtree hash from the entries, compares them with what is stored, and checks the recomputed
 * root against every signed checkpoint (stored ones and trusted ones from outside, such as a witness
 * or a file an auditor kept). Names the first index that is not proven.
 *
 * <p>What each check catches: a changed entry (its leaf differs from the stored hash, or, when the
 * attacker also rewrote the stored hashes, the root differs from the next signed checkpoint); a
 * deleted, inserted or reordered batch (indexes not contiguous); truncation or a roll-back to an
 * older copy (a checkpoint, stored or trusted, is larger than the log). A rewrite of the tail after
 * the newest checkpoint anyone kept cannot be caught by anything: that is why checkpoints are issued
 * every few seconds and pushed off the host.
 */
public final class LedgerVerifier {
  private static final String SCAN =
      "select first_idx, entry_count, entries, hashes from ledger_batch order by first_idx";

  /** Receives progress: entries checked so far and the total expected. */
  @FunctionalInterface
  public interface Progress {
    void update(long done, long total);

    Progress NONE = (done, total) -> {};
  }

  /** A signed root to check against, and where it came from (for messages). */
  public record Expected(TreeHead head, String source) {
    public Expected {
      Objects.requireNonNull(head, "head");
      Objects.requireNonNull(source, "source");
    }
  }

  private final DataSource dataSource;
  private final LedgerReader reader;

  public LedgerVerifier(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.reader = new LedgerReader(dataSource);
  }

  /**
   * Verifies the stored ledger.
   *
   * @param openCheckpoint checks a stored signed note and returns the tree head it signs; throws
   *     (any runtime exception, with a message) if the signature or the text is bad
   * @param trusted signed heads obtained outside this database
   */
  public Verification verify(
      Function<String, TreeHead> openCheckpoint, List<Expected> trusted, Progress progress) {
    TreeMap<Long, Expected> expected = new TreeMap<>();
    for (var stored : reader.checkpointsAfter(-1)) {
      TreeHead head;
      try {
        head = openCheckpoint.apply(stored.note());
      } catch (RuntimeException e) {
        return new Verification.Broken(
            stored.size(), Verification.Fault.BAD_CHECKPOINT,
            "the stored checkpoint of size " + stored.size() + " does not verify: " + e.getMessage());
      }
      if (head.size() != stored.size()) {
        return new Verification.Broken(
            stored.size(), Verification.Fault.BAD_CHECKPOINT,
            "the stored checkpoint filed under size " + stored.size() + " signs size " + head.size());
      }
      Verification conflict = add(expected, new Expected(head, "stored checkpoint " + stored.size()));
      if (conflict != null) return conflict;
    }
    for (Expected e : trusted) {
      Verification conflict = add(expected, e);
      if (conflict != null) return conflict;
    }
    return walk(expected, progress);
  }

  private static Verification add(Map<Long, Expected> expected, Expected e) {
    Expected other = expected.putIfAbsent(e.head().size(), e);
    if (other != null && !other.head().equals(e.head())) {
      return new Verification.Broken(
          e.head().size(), Verification.Fault.CHECKPOINT_MISMATCH,
          e.source() + " and " + other.source() + " sign different roots for size " + e.head().size()
              + ": the log was forked or rewritten");
    }
    return null;
  }

  private Verification walk(TreeMap<Long, Expected> expected, Progress progress) {
    long total = reader.size();
    progress.update(0, total);
    CompactRange range = new CompactRange();
    Merkle.Hasher hasher = new Merkle.Hasher();
    long proven = 0;
    long previousFirst = 0;
    int matched = 0;
    // A checkpoint of size 0 signs the empty tree.
    Expected zero = expected.get(0L);
    if (zero != null) {
      if (!MessageDigest.isEqual(zero.head().root(), Merkle.emptyRoot())) {
        return mismatch(0, zero, 0);
      }
      matched++;
    }
    Fetcher fetcher = new Fetcher();
    Thread fetching = Thread.ofPlatform().name("ward-verify-fetch").daemon(true).start(fetcher);
    try {
      Map.Entry<Long, Expected> next = expected.higherEntry(0L);
      while (true) {
        Row row = fetcher.take();
        if (row == Row.END) break;
        long first = row.first();
        int count = row.count();
        if (first != range.size()) {
          return new Verification.Broken(
              range.size(), Verification.Fault.GAP,
              "expected a batch starting at entry " + range.size() + ", found one starting at " + first
                  + (first > range.size() ? " (entries are missing)" : " (a batch was inserted or moved)"));
        }
        byte[] entries = row.entries();
        byte[] stored = row.hashes();
        if (stored.length != LedgerBatch.hashesLength(first, count)) return moved(previousFirst, first);
        CompactRange atStart = range.copy();
        ByteBuffer in = ByteBuffer.wrap(entries);
        int offset = 0;
        for (int i = 0; i < count; i++) {
          long index = first + i;
          int length = in.remaining() >= 4 ? in.getInt() : -1;
          if (length < 0 || length > in.remaining()) {
            return new Verification.Broken(index, Verification.Fault.MALFORMED,
                "entry " + index + " cannot be read: the batch at " + first + " is cut short or its length is wrong");
          }
          byte[] leaf = hasher.leaf(entries, in.position(), length);
          in.position(in.position() + length);
          for (CompactRange.Node node : range.append(leaf, hasher)) {
            if (stored.length < offset + Merkle.HASH_LENGTH
                || !Arrays.equals(node.hash(), 0, Merkle.HASH_LENGTH, stored, offset, offset + Merkle.HASH_LENGTH)) {
              if (!storedHashesFit(atStart, first, count, stored, hasher)) {
                // A changed inner hash implicates its whole subtree, which may begin further back.
                return moved(Math.min(previousFirst, node.index() << node.level()), first);
              }
              return node.level() == 0
                  ? new Verification.Broken(index, Verification.Fault.LEAF_MISMATCH,
                      "entry " + index + " does not match its stored leaf hash: the entry was changed")
                  // Leaf hashes agreed, so entries were moved together with their hashes: the
                  // fault is somewhere in this subtree, and its first entry is all that is certain.
                  : new Verification.Broken(Math.min(first, node.index() << node.level()), Verification.Fault.NODE_MISMATCH,
                      "entries " + (node.index() << node.level()) + " to " + index + " do not recompute to the"
                          + " stored hash of their subtree: entries were moved, inserted or removed with their hashes,"
                          + " or the stored hash was changed");
            }
            offset += Merkle.HASH_LENGTH;
          }
          if (next != null && next.getKey() == range.size()) {
            if (!MessageDigest.isEqual(range.root(), next.getValue().head().root())) {
              return mismatch(proven, next.getValue(), range.size());
            }
            proven = range.size();
            matched++;
            next = expected.higherEntry(range.size());
          }
        }
        if (in.hasRemaining()) {
          return new Verification.Broken(first + count, Verification.Fault.MALFORMED,
              in.remaining() + " bytes follow the last of the " + count + " entries of the batch at " + first);
        }
        if (offset != stored.length) {
          return new Verification.Broken(first + count - 1, Verification.Fault.NODE_MISMATCH,
              "the batch at " + first + " stores " + (stored.length - offset) + " extra hash bytes");
        }
        previousFirst = first;
        progress.update(range.size(), Math.max(total, range.size()));
      }
    } finally {
      fetcher.stop();
      fetching.interrupt();
    }
    Map.Entry<Long, Expected> beyond = expected.higherEntry(range.size());
    if (beyond != null) {
      Expected e = expected.lastEntry().getValue();
      return new Verification.Broken(
          range.size(), Verification.Fault.TRUNCATED,
          "the ledger holds " + range.size() + " entries, but " + e.source() + " signed a tree of "
              + e.head().size() + ": entries were removed, or the database was rolled back to an older copy");
    }
    return new Verification.Intact(new TreeHead(range.size(), range.root()), matched);
  }

  /**
   * A batch whose stored hashes do not fit its position was moved there (or its hashes edited). The
   * batch it changed places with may fit its own new place by chance, if it is the one before: so
   * the first entry not proven is the start of the previous batch.
   */
  private static Verification moved(long from, long first) {
    return new Verification.Broken(from, Verification.Fault.NODE_MISMATCH,
        "the stored hashes of the batch at " + first + " do not fit its position: it was moved there (perhaps"
            + " changing places with the batch before it), or its hashes were altered");
  }

  /**
   * Whether a batch's stored hashes are those of a tree continuing {@code atStart} with its stored
   * leaf hashes: true when only entries were changed, false when the row was moved or its hashes
   * edited (then no single entry can be blamed, only the batch).
   */
  private static boolean storedHashesFit(
      CompactRange atStart, long first, int count, byte[] stored, Merkle.Hasher hasher) {
    CompactRange r = atStart.copy();
    int offset = 0;
    for (int i = 0; i < count; i++) {
      byte[] leaf = Arrays.copyOfRange(stored, offset, offset + Merkle.HASH_LENGTH);
      for (CompactRange.Node node : r.append(leaf, hasher)) {
        if (!Arrays.equals(node.hash(), 0, Merkle.HASH_LENGTH, stored, offset, offset + Merkle.HASH_LENGTH)) return false;
        offset += Merkle.HASH_LENGTH;
      }
    }
    return true;
  }

  private record Row(long first, int count, byte[] entries, byte[] hashes) {
    static final Row END = new Row(-1, 0, new byte[0], new byte[0]);
  }

  /**
   * Reads batches on its own thread, a few ahead of the hashing, in one repeatable-read snapshot.
   * Verification is bound by SHA-256 and by PostgreSQL sending the rows; this overlaps the two.
   */
  private final class Fetcher implements Runnable {
    private final BlockingQueue<Row> rows = new ArrayBlockingQueue<>(16);
    private volatile boolean stopped;
    private volatile RuntimeException failure;

    @Override
    public void run() {
      try (Connection c = dataSource.getConnection()) {
        // A cursor streams only inside a transaction; read-only and repeatable read give one snapshot.
        c.setAutoCommit(false);
        c.setReadOnly(true);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (PreparedStatement ps = c.prepareStatement(SCAN)) {
          // Binary transfer from the first execution: bytea as bytes, not hex text.
          ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
          ps.setFetchSize(8);
          try (ResultSet rs = ps.executeQuery()) {
            while (!stopped && rs.next()) {
              rows.put(new Row(rs.getLong(1), rs.getInt(2), rs.getBytes(3), rs.getBytes(4)));
            }
          }
        } finally {
          c.rollback();
        }
      } catch (SQLException e) {
        failure = new WardException.LedgerUnavailable(
            "could not read the ledger to verify it (SQLState " + e.getSQLState() + ")", e);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        failure = e;
      }
      try {
        rows.put(Row.END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    Row take() {
      try {
        Row r = rows.take();
        if (r == Row.END && failure != null) throw failure;
        return r;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WardException.LedgerUnavailable("interrupted while verifying", e);
      }
    }

    void stop() {
      stopped = true;
    }
  }

  private static Verification mismatch(long proven, Expected e, long size) {
    return new Verification.Broken(
        proven, Verification.Fault.CHECKPOINT_MISMATCH,
        "the entries recompute to another root than " + e.source() + " signed for size " + size
            + " (" + HexFormat.of().formatHex(e.head().root()) + "): at least one entry in [" + proven + ", "
            + size + ") was changed, with its stored hashes rewritten to match");
  }
}
