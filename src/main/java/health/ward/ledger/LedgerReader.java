package health.ward.ledger;

import health.ward.common.WardException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Reads the stored ledger ({@code V6__merkle_ledger.sql}): subtree hashes by offset, entries, and signed
 * checkpoints. Safe to use from any thread and from a process other than the writer; it never
 * writes, except {@link #storeCheckpoint}. What it returns is as stored: the {@link LedgerVerifier}
 * is what checks it.
 */
public final class LedgerReader {
  private static final String LAST = "select first_idx, entry_count from ledger_batch order by first_idx desc limit 1";
  // For each wanted (leaf, level): the batch that holds the leaf and the 32 bytes at the hash offset.
  private static final String HASHES =
      "select w.ord, b.first_idx, b.entry_count,"
          + " substring(b.hashes from (((2 * w.leaf - bit_count(w.leaf::bit(64)))"
          + " - (2 * b.first_idx - bit_count(b.first_idx::bit(64))) + w.lvl) * 32 + 1)::int for 32)"
          + " from unnest(?::bigint[], ?::int[]) with ordinality as w(leaf, lvl, ord)"
          + " cross join lateral (select first_idx, entry_count, hashes from ledger_batch"
          + " where first_idx <= w.leaf order by first_idx desc limit 1) b";
  private static final String BATCH_OF =
      "select first_idx, entry_count, entries from ledger_batch where first_idx <= ? order by first_idx desc limit 1";
  private static final String SCAN =
      "select first_idx, entry_count, entries from ledger_batch"
          + " where first_idx < ? and first_idx + entry_count > ? order by first_idx";
  private static final String SCAN_TIME =
      "select first_idx, entry_count, entries from ledger_batch"
          + " where recorded_at >= ? and recorded_at <= ? order by first_idx";

  private final DataSource dataSource;

  public LedgerReader(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** A stored signed checkpoint. */
  public record StoredCheckpoint(long size, String note, Instant issuedAt) {}

  /** One stored entry and its index. */
  public record IndexedEntry(long index, byte[] entry) {}

  /** Number of stored entries (one past the last stored index). */
  public long size() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(LAST);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) + rs.getInt(2) : 0;
    } catch (SQLException e) {
      throw unavailable("read the ledger's size", e);
    }
  }

  /** Subtree hashes read one query at a time. */
  public SubtreeHashes hashes() {
    return (level, index) -> fetch(List.of(new NodeId(level, index))).get(new NodeId(level, index));
  }

  /**
   * Runs {@code computation} against stored hashes with one database round trip: a first pass
   * records which subtrees it asks for (the set must not depend on hash values, true of roots and
   * proofs), then they are fetched together and the computation runs again on them.
   */
  public <T> T withHashes(java.util.function.Function<SubtreeHashes, T> computation) {
    List<NodeId> wanted = new ArrayList<>();
    byte[] placeholder = new byte[Merkle.HASH_LENGTH];
    computation.apply(
        (level, index) -> {
          wanted.add(new NodeId(level, index));
          return placeholder;
        });
    Map<NodeId, byte[]> found = fetch(wanted);
    return computation.apply(
        (level, index) -> {
          byte[] h = found.get(new NodeId(level, index));
          if (h == null) throw new IllegalStateException("subtree " + level + "/" + index + " was not prefetched");
          return h;
        });
  }

  /** The tree head at {@code size} recomputed from stored subtree hashes (O(log n) of them). */
  public TreeHead head(long size) {
    return new TreeHead(size, withHashes(h -> CompactRange.of(size, h).root()));
  }

  /**
   * The proof that entry {@code index} is in the tree of {@code size} entries (one database round
   * trip). Throws {@link WardException.InvalidRequest} unless {@code 0 <= index < size <= size()}.
   */
  public InclusionProof proveInclusion(long index, long size) {
    long stored = size();
    if (size < 1 || size > stored) {
      throw new WardException.InvalidRequest("size must be between 1 and the ledger's size " + stored + ", was " + size);
    }
    if (index < 0 || index >= size) {
      throw new WardException.InvalidRequest("index must be between 0 and size - 1 (" + (size - 1) + "), was " + index);
    }
    return withHashes(h -> InclusionProof.prove(index, size, h));
  }

  /**
   * The proof that the tree of {@code from} entries is a prefix of the tree of {@code to}. Throws
   * {@link WardException.InvalidRequest} unless {@code 0 <= from <= to <= size()}.
   */
  public ConsistencyProof proveConsistency(long from, long to) {
    long stored = size();
    if (to < 0 || to > stored) {
      throw new WardException.InvalidRequest("to must be between 0 and the ledger's size " + stored + ", was " + to);
    }
    if (from < 0 || from > to) {
      throw new WardException.InvalidRequest("from must be between 0 and to (" + to + "), was " + from);
    }
    return withHashes(h -> ConsistencyProof.prove(from, to, h));
  }

  /** The stored leaf hash of entry {@code index}; the index must be below {@link #size()}. */
  public byte[] leafHash(long index) {
    return withHashes(h -> h.hash(0, index));
  }

  /** The stored entry at {@code index}, if there is one. */
  public Optional<byte[]> entry(long index) {
    if (index < 0) return Optional.empty();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(BATCH_OF)) {
      ps.setLong(1, index);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        long first = rs.getLong(1);
        int count = rs.getInt(2);
        if (index >= first + count) return Optional.empty();
        return Optional.of(decode(first, count, rs.getBytes(3)).get((int) (index - first)));
      }
    } catch (SQLException e) {
      throw unavailable("read a ledger entry", e);
    }
  }

  /** Streams the entries with indexes in {@code [from, to)} in index order. */
  public void scan(long from, long to, Consumer<IndexedEntry> each) {
    stream(SCAN, ps -> {
      ps.setLong(1, to);
      ps.setLong(2, from);
    }, e -> {
      if (e.index() >= from && e.index() < to) each.accept(e);
    });
  }

  /**
   * Streams, in index order, the entries of every batch committed within {@code [from, to]} by the
   * writer's clock. An entry is committed shortly after its own time, so a caller looking for event
   * times in a window widens {@code to} by the append timeout and filters on the entry's time.
   */
  public void scanCommitted(Instant from, Instant to, Consumer<IndexedEntry> each) {
    stream(SCAN_TIME, ps -> {
      ps.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
      ps.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
    }, each);
  }

  /** The newest stored checkpoint, if any. */
  public Optional<StoredCheckpoint> latestCheckpoint() {
    List<StoredCheckpoint> l = checkpoints("select tree_size, note, issued_at from ledger_checkpoint where tree_size > ? order by tree_size desc limit 1", -1);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  /** Every stored checkpoint with a size above {@code size}, oldest first. */
  public List<StoredCheckpoint> checkpointsAfter(long size) {
    return checkpoints("select tree_size, note, issued_at from ledger_checkpoint where tree_size > ? order by tree_size", size);
  }

  /** Stores a signed checkpoint; storing the same size twice keeps the first. */
  public void storeCheckpoint(long size, String note, Instant issuedAt) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into ledger_checkpoint (tree_size, note, issued_at) values (?, ?, ?) on conflict do nothing")) {
      ps.setLong(1, size);
      ps.setString(2, note);
      ps.setObject(3, OffsetDateTime.ofInstant(issuedAt, ZoneOffset.UTC));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw unavailable("store a checkpoint", e);
    }
  }

  private List<StoredCheckpoint> checkpoints(String sql, long after) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, after);
      List<StoredCheckpoint> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredCheckpoint(rs.getLong(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant()));
        }
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read checkpoints", e);
    }
  }

  private Map<NodeId, byte[]> fetch(List<NodeId> wanted) {
    Map<NodeId, byte[]> out = new HashMap<>();
    if (wanted.isEmpty()) return out;
    Long[] leaves = new Long[wanted.size()];
    Integer[] levels = new Integer[wanted.size()];
    for (int i = 0; i < leaves.length; i++) {
      NodeId n = wanted.get(i);
      leaves[i] = LedgerBatch.completingLeaf(n.level(), n.index());
      levels[i] = n.level();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(HASHES)) {
      ps.setArray(1, c.createArrayOf("bigint", leaves));
      ps.setArray(2, c.createArrayOf("integer", levels));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = rs.getInt(1) - 1;
          long first = rs.getLong(2);
          int count = rs.getInt(3);
          byte[] hash = rs.getBytes(4);
          if (leaves[i] >= first + count || hash == null || hash.length != Merkle.HASH_LENGTH) continue;
          out.put(wanted.get(i), hash);
        }
      }
    } catch (SQLException e) {
      throw unavailable("read subtree hashes", e);
    }
    for (NodeId n : wanted) {
      if (!out.containsKey(n)) {
        throw new WardException.IntegrityFailure(
            "the ledger has no stored hash for subtree " + n.level() + "/" + n.index()
                + " (leaf " + LedgerBatch.completingLeaf(n.level(), n.index()) + " is missing): run `ward verify`");
      }
    }
    return out;
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private void stream(String sql, Binder binder, Consumer<IndexedEntry> each) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        binder.bind(ps);
        ps.setFetchSize(16);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long first = rs.getLong(1);
            List<byte[]> entries = decode(first, rs.getInt(2), rs.getBytes(3));
            for (int i = 0; i < entries.size(); i++) each.accept(new IndexedEntry(first + i, entries.get(i)));
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw unavailable("read ledger entries", e);
    }
  }

  private static List<byte[]> decode(long first, int count, byte[] bytes) {
    try {
      return LedgerBatch.decodeEntries(bytes, count);
    } catch (LedgerBatch.MalformedBatch e) {
      throw new WardException.IntegrityFailure(
          "ledger entry " + (first + e.entry()) + " is unreadable (" + e.getMessage() + "): run `ward verify`", e);
    }
  }

  private static WardException.LedgerUnavailable unavailable(String what, SQLException e) {
    return new WardException.LedgerUnavailable("could not " + what + " (SQLState " + e.getSQLState() + ")", e);
  }

  private record NodeId(int level, long index) {}
}
