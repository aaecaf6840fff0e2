package health.ward.ledger;

import health.ward.common.WardException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Offline check of a stored ledger: streams every row in index order and recomputes leaves and
 * chain. Finds the first changed entry, removed row, reordered or inserted row. A rewrite of the
 * whole tail after some point is a valid chain by itself; only a head kept from earlier (see
 * {@link #verify(ChainHead)}) catches it, as it catches truncation.
 */
public final class ChainVerifier {
  private static final int FETCH_SIZE = 2_000;
  private final DataSource dataSource;

  public ChainVerifier(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** Verifies the stored rows by themselves. */
  public ChainVerification verify() {
    return check(null);
  }

  /** Verifies the stored rows and that they extend {@code trusted}, a head recorded earlier. */
  public ChainVerification verify(ChainHead trusted) {
    return check(Objects.requireNonNull(trusted, "trusted"));
  }

  private ChainVerification check(ChainHead trusted) {
    try (Connection c = dataSource.getConnection()) {
      // A cursor streams only inside a transaction; read-only and repeatable read give one snapshot.
      c.setAutoCommit(false);
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (PreparedStatement ps =
          c.prepareStatement(
              "select idx, entry, leaf_hash, chain_hash from ledger_entry order by idx")) {
        ps.setFetchSize(FETCH_SIZE);
        try (ResultSet rs = ps.executeQuery()) {
          return walk(rs, trusted);
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new WardException.LedgerUnavailable(
          "could not read the ledger to verify it (SQLState " + e.getSQLState() + ")", e);
    }
  }

  private static ChainVerification walk(ResultSet rs, ChainHead trusted) throws SQLException {
    long expected = 0;
    byte[] chain = HashChain.start();
    while (rs.next()) {
      long idx = rs.getLong(1);
      if (idx != expected) {
        return new ChainVerification.Broken(
            expected, ChainVerification.Fault.GAP, "expected index " + expected + ", found " + idx);
      }
      byte[] leaf = HashChain.leafHash(rs.getBytes(2));
      if (!MessageDigest.isEqual(leaf, rs.getBytes(3))) {
        return new ChainVerification.Broken(
            idx, ChainVerification.Fault.LEAF_MISMATCH, "stored leaf hash does not match the entry");
      }
      chain = HashChain.next(chain, leaf);
      if (!MessageDigest.isEqual(chain, rs.getBytes(4))) {
        return new ChainVerification.Broken(
            idx, ChainVerification.Fault.CHAIN_MISMATCH, "stored chain hash does not follow from index " + (idx - 1));
      }
      expected++;
      if (trusted != null && expected == trusted.size() && !MessageDigest.isEqual(chain, trusted.hash())) {
        return new ChainVerification.Broken(
            idx, ChainVerification.Fault.HEAD_MISMATCH, "chain at size " + expected + " differs from the trusted head");
      }
    }
    if (trusted != null && expected < trusted.size()) {
      return new ChainVerification.Broken(
          expected, ChainVerification.Fault.HEAD_MISMATCH,
          "ledger has " + expected + " entries, the trusted head had " + trusted.size());
    }
    return new ChainVerification.Intact(new ChainHead(expected, chain));
  }
}
