package health.ward.audit;

import health.ward.common.WardException;
import health.ward.ledger.Ledger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Audit entries staged in the database (table {@code ledger_outbox}) by a process that must not
 * append to the ledger itself — a command run while {@code ward serve} owns the ledger — in the
 * same transaction as the change they record, so the change and its entry commit together.
 * {@link #drain} (run by the ledger's owner) appends them in order and deletes them.
 *
 * <p>Crash safety: rows are deleted only after their entries are durable in the ledger, so a crash
 * in between appends them again on the next drain: an entry may appear twice, never not at all.
 */
public final class LedgerOutbox {
  private final DataSource dataSource;
  private final AuditTrail trail;
  private final Clock clock;

  public LedgerOutbox(DataSource dataSource, AuditTrail trail, Clock clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.trail = Objects.requireNonNull(trail, "trail");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Seals {@code event} and stages it in {@code c}'s transaction. */
  public void stage(Connection c, AccessEvent event) throws SQLException {
    byte[] entry = trail.seal(event).encode();
    try (PreparedStatement ps = c.prepareStatement("insert into ledger_outbox (entry, created_at) values (?, ?)")) {
      ps.setBytes(1, entry);
      ps.setObject(2, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  /**
   * Appends every staged entry to {@code ledger}, oldest first, waits until they are durable, then
   * deletes them. Returns how many were appended. One drain at a time.
   */
  public synchronized int drain(Ledger ledger) {
    try (Connection c = dataSource.getConnection()) {
      int total = 0;
      while (true) {
        List<Long> ids = new ArrayList<>();
        List<Ledger.Durable> pending = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select id, entry from ledger_outbox order by id limit 1000");
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
            pending.add(ledger.appendAsync(rs.getBytes(2)));
          }
        }
        if (ids.isEmpty()) return total;
        for (Ledger.Durable d : pending) d.await();
        try (PreparedStatement ps = c.prepareStatement("delete from ledger_outbox where id = any(?)")) {
          ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
          ps.executeUpdate();
        }
        total += ids.size();
      }
    } catch (SQLException e) {
      throw new WardException.LedgerUnavailable("the ledger outbox could not be drained (SQLSTATE " + e.getSQLState() + ")", null);
    }
  }
}
