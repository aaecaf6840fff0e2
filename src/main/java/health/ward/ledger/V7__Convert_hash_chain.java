package health.ward.ledger;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Schema migration 7 (its class name is Flyway's convention for the version): moves the entries of
 * the first ledger form, a hash chain in {@code ledger_entry} (V3), into the Merkle log of V6, in
 * the same order and with the same bytes, then drops the old table. In the same transaction as the
 * rest of the migration: all or nothing.
 *
 * <p>It first verifies the old chain (contiguous indexes, every leaf hash and chain hash recomputed:
 * {@code leaf = SHA-256(0x00 || entry)}, {@code chain_i = SHA-256(0x01 || chain_(i-1) || leaf_i)}
 * from 32 zero bytes) and refuses to convert a broken one, so that the conversion cannot launder a
 * tampered log into a valid tree. A database that never had entries just loses the empty table.
 */
public final class V7__Convert_hash_chain extends BaseJavaMigration {
  private static final int BATCH = 4_096;

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    if (!exists(c)) return;
    CompactRange range = new CompactRange();
    byte[] chain = new byte[Merkle.HASH_LENGTH];
    Merkle.Hasher hasher = new Merkle.Hasher();
    List<byte[]> entries = new ArrayList<>(BATCH);
    OffsetDateTime lastAt = null;
    long expected = 0;
    try (Statement s = c.createStatement()) {
      s.setFetchSize(1_000);
      try (ResultSet rs = s.executeQuery("select idx, entry, leaf_hash, chain_hash, recorded_at from ledger_entry order by idx")) {
        while (rs.next()) {
          long idx = rs.getLong(1);
          if (idx != expected) throw broken(expected, "entry " + expected + " is missing (found " + idx + ")");
          byte[] entry = rs.getBytes(2);
          byte[] leaf = Merkle.leafHash(entry);
          if (!MessageDigest.isEqual(leaf, rs.getBytes(3))) throw broken(idx, "the entry does not match its leaf hash");
          MessageDigest d = MessageDigest.getInstance("SHA-256");
          d.update((byte) 0x01);
          d.update(chain);
          d.update(leaf);
          chain = d.digest();
          if (!MessageDigest.isEqual(chain, rs.getBytes(4))) throw broken(idx, "the chain hash does not follow");
          entries.add(entry);
          lastAt = rs.getObject(5, OffsetDateTime.class);
          expected++;
          if (entries.size() == BATCH) {
            insert(c, range, entries, hasher, lastAt);
            entries.clear();
          }
        }
      }
    }
    if (!entries.isEmpty()) insert(c, range, entries, hasher, lastAt);
    try (Statement s = c.createStatement()) {
      s.execute("drop table ledger_entry");
      s.execute("drop function ledger_entry_reject_change()");
    }
  }

  private static boolean exists(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select to_regclass('ledger_entry') is not null")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static void insert(
      Connection c, CompactRange range, List<byte[]> entries, Merkle.Hasher hasher, OffsetDateTime at)
      throws SQLException {
    long first = range.size();
    byte[] hashes = LedgerBatch.append(range, entries, hasher);
    try (PreparedStatement ps =
        c.prepareStatement("insert into ledger_batch (first_idx, entry_count, entries, hashes, recorded_at) values (?, ?, ?, ?, ?)")) {
      ps.setLong(1, first);
      ps.setInt(2, entries.size());
      ps.setBytes(3, LedgerBatch.encodeEntries(entries));
      ps.setBytes(4, hashes);
      ps.setObject(5, at);
      ps.executeUpdate();
    }
  }

  private static IllegalStateException broken(long index, String why) {
    return new IllegalStateException(
        "the audit ledger of the earlier Ward (hash chain) is broken at entry " + index + ": " + why
            + ". Ward will not convert a broken ledger; keep this database as evidence and start with a new data directory");
  }
}
