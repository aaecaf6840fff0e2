package health.ward.store;

import health.ward.common.WardException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** {@link WrappedKeyStore} on the PostgreSQL table {@code wrapped_keys} (migration V2). */
public final class PostgresWrappedKeyStore implements WrappedKeyStore {
  private final DataSource dataSource;

  public PostgresWrappedKeyStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public Optional<byte[]> find(String kind, byte[] name) {
    requireAddress(kind, name);
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("select wrapped from wrapped_keys where kind = ? and name = ?")) {
      s.setString(1, kind);
      s.setBytes(2, name);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw unavailable("read a wrapped " + kind + " key", e);
    }
  }

  @Override
  public byte[] putIfAbsent(String kind, byte[] name, byte[] wrapped) {
    requireAddress(kind, name);
    Objects.requireNonNull(wrapped, "wrapped");
    // One statement, so a concurrent insert of the same row cannot slip between check and write:
    // the loser's insert does nothing and the select part of the union returns the winner's value.
    String sql =
        "with ins as (insert into wrapped_keys(kind, name, wrapped) values (?, ?, ?)"
            + " on conflict (kind, name) do nothing returning wrapped)"
            + " select wrapped from ins"
            + " union all select wrapped from wrapped_keys where kind = ? and name = ?"
            + " and not exists (select 1 from ins)";
    for (int attempt = 0; attempt < 3; attempt++) {
      try (Connection c = dataSource.getConnection();
          PreparedStatement s = c.prepareStatement(sql)) {
        s.setString(1, kind);
        s.setBytes(2, name);
        s.setBytes(3, wrapped);
        s.setString(4, kind);
        s.setBytes(5, name);
        try (ResultSet rs = s.executeQuery()) {
          // Empty only if the winner's row is not yet visible to this statement's snapshot, which
          // read committed allows for a moment; asking again sees it.
          if (rs.next()) return rs.getBytes(1);
        }
      } catch (SQLException e) {
        throw unavailable("store a wrapped " + kind + " key", e);
      }
    }
    return find(kind, name)
        .orElseThrow(() -> unavailable("store a wrapped " + kind + " key", null));
  }

  @Override
  public long rewrapAll(int batchSize, Rewrap rewrap, Consumer<Long> progress) {
    requireBatch(batchSize);
    Objects.requireNonNull(rewrap, "rewrap");
    Objects.requireNonNull(progress, "progress");
    long done = 0;
    Entry after = null;
    while (true) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try {
          List<Entry> batch = page(c, after, batchSize, true);
          if (batch.isEmpty()) {
            c.commit();
            return done;
          }
          try (PreparedStatement u =
              c.prepareStatement("update wrapped_keys set wrapped = ? where kind = ? and name = ?")) {
            for (Entry e : batch) {
              u.setBytes(1, Objects.requireNonNull(rewrap.rewrap(e), "rewrapped value"));
              u.setString(2, e.kind());
              u.setBytes(3, e.name());
              u.addBatch();
            }
            u.executeBatch();
          }
          c.commit();
          done += batch.size();
          after = batch.getLast();
          progress.accept(done);
          if (batch.size() < batchSize) return done;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw unavailable("rewrap the wrapped keys", e);
      }
    }
  }

  @Override
  public void forEach(int batchSize, Consumer<Entry> action) {
    requireBatch(batchSize);
    Objects.requireNonNull(action, "action");
    Entry after = null;
    while (true) {
      List<Entry> batch;
      try (Connection c = dataSource.getConnection()) {
        batch = page(c, after, batchSize, false);
      } catch (SQLException e) {
        throw unavailable("read the wrapped keys", e);
      }
      batch.forEach(action);
      if (batch.size() < batchSize) return;
      after = batch.getLast();
    }
  }

  /** Rows after {@code after} in (kind, name) order; keyset pagination, so each page is an index scan. */
  private static List<Entry> page(Connection c, Entry after, int limit, boolean lock)
      throws SQLException {
    String sql =
        "select kind, name, wrapped from wrapped_keys"
            + (after == null ? "" : " where (kind, name) > (?, ?)")
            + " order by kind, name limit ?"
            + (lock ? " for update" : "");
    try (PreparedStatement s = c.prepareStatement(sql)) {
      int i = 1;
      if (after != null) {
        s.setString(i++, after.kind());
        s.setBytes(i++, after.name());
      }
      s.setInt(i, limit);
      List<Entry> out = new ArrayList<>(limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) out.add(new Entry(rs.getString(1), rs.getBytes(2), rs.getBytes(3)));
      }
      return out;
    }
  }

  @Override
  public boolean delete(String kind, byte[] name) {
    requireAddress(kind, name);
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement("delete from wrapped_keys where kind = ? and name = ?")) {
      s.setString(1, kind);
      s.setBytes(2, name);
      return s.executeUpdate() > 0;
    } catch (SQLException e) {
      throw unavailable("delete a wrapped " + kind + " key", e);
    }
  }

  @Override
  public long count(String kind) {
    Objects.requireNonNull(kind, "kind");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement("select count(*) from wrapped_keys where kind = ?")) {
      s.setString(1, kind);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw unavailable("count wrapped " + kind + " keys", e);
    }
  }

  private static void requireAddress(String kind, byte[] name) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  private static void requireBatch(int batchSize) {
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
  }

  private static WardException.StoreUnavailable unavailable(String what, SQLException e) {
    return new WardException.StoreUnavailable(
        "could not " + what + (e == null ? "" : ": " + e.getMessage()), e);
  }
}
