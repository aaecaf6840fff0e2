package health.ward.store;

import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The PostgreSQL {@link RecordStore} (schema {@code V1__records.sql}). Every read and search is one
 * prepared statement; a write is one transaction of batched statements. Database failures surface
 * as {@link WardException.StoreUnavailable} with a message that carries no data; version mismatches
 * as {@link WardException.VersionConflict} naming type, id and versions.
 *
 * <p>Concurrency: updates lock the current rows they replace (in a fixed order, so two writes never
 * deadlock); concurrent creates of one id race on the version primary key and exactly one wins.
 */
public final class PostgresRecordStore implements RecordStore {
  private static final String UNIQUE_VIOLATION = "23505";

  private static final String SELECT_JOINED =
      "select c.id, c.version, c.patient, c.deleted, v.ciphertext from resource_current c"
          + " join resource_version v on v.type = c.type and v.id = c.id and v.version = c.version";

  private static final String CURRENT = SELECT_JOINED + " where c.type = ? and c.id = ?";
  private static final String CURRENT_MANY = SELECT_JOINED + " where c.type = ? and c.id = any(?)";
  private static final String VERSION =
      "select id, version, patient, deleted, ciphertext from resource_version"
          + " where type = ? and id = ? and version = ?";
  private static final String HISTORY =
      "select id, version, patient, deleted, ciphertext from resource_version"
          + " where type = ? and id = ? order by version desc";

  private static final String LOCK_CURRENT =
      "select c.type, c.id, c.version, c.seq from resource_current c"
          + " join unnest(?::text[], ?::text[]) as k(type, id) on c.type = k.type and c.id = k.id"
          + " order by c.type, c.id for update of c";
  private static final String READ_CURRENT_VERSIONS =
      "select c.type, c.id, c.version, c.seq from resource_current c"
          + " join unnest(?::text[], ?::text[]) as k(type, id) on c.type = k.type and c.id = k.id";
  private static final String NEXT_SEQS =
      "select nextval('resource_seq') from generate_series(1, ?)";
  private static final String DELETE_TOKENS = "delete from search_token where seq = any(?)";
  private static final String INSERT_VERSION =
      "insert into resource_version (type, id, version, patient, deleted, ciphertext)"
          + " values (?, ?, ?, ?, ?, ?)";
  private static final String INSERT_CURRENT =
      "insert into resource_current (type, id, version, patient, deleted, seq)"
          + " values (?, ?, ?, ?, ?, ?)";
  private static final String UPDATE_CURRENT =
      "update resource_current set version = ?, patient = ?, deleted = ?, seq = ?"
          + " where type = ? and id = ? and version = ?";
  private static final String INSERT_TOKEN =
      "insert into search_token (type, token, seq, id) values (?, ?, ?, ?)";

  private final DataSource dataSource;

  /** A store over a migrated database; the data source should pool connections. */
  public PostgresRecordStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public Optional<StoredRecord> current(String type, String id) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    return readOne(CURRENT, type, id, null, "read the current version");
  }

  @Override
  public Optional<StoredRecord> version(String type, String id, long version) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    return readOne(VERSION, type, id, version, "read a version");
  }

  /**
   * The current versions (possibly deletions) of the given ids of one type, in one query: in the
   * order of {@code ids}, skipping ids that never existed and repeated ids.
   */
  public List<StoredRecord> current(String type, List<String> ids) {
    Objects.requireNonNull(type, "type");
    if (ids.isEmpty()) return List.of();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(CURRENT_MANY)) {
      ps.setString(1, type);
      ps.setArray(2, c.createArrayOf("text", ids.toArray()));
      Map<String, StoredRecord> byId = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          StoredRecord r = record(type, rs);
          byId.put(r.id(), r);
        }
      }
      List<StoredRecord> out = new ArrayList<>(byId.size());
      Set<String> seen = new HashSet<>();
      for (String id : ids) {
        StoredRecord r = byId.get(id);
        if (r != null && seen.add(id)) out.add(r);
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read current versions", e);
    }
  }

  @Override
  public List<StoredRecord> history(String type, String id) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(HISTORY)) {
      ps.setString(1, type);
      ps.setString(2, id);
      List<StoredRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(record(type, rs));
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read history", e);
    }
  }

  @Override
  public List<StoredRecord> search(String type, Query query) {
    Objects.requireNonNull(type, "type");
    if (query.limit() == 0) return List.of();
    String order = query.newestFirst() ? " desc" : "";
    String sql;
    if (isSingleToken(query)) {
      sql =
          "select t.id, c.version, c.patient, c.deleted, v.ciphertext from search_token t"
              + " join resource_current c on c.type = t.type and c.id = t.id"
              + " join resource_version v on v.type = c.type and v.id = c.id and v.version = c.version"
              + " where t.type = ? and t.token = ? order by t.seq" + order + " offset ? limit ?";
    } else {
      sql =
          SELECT_JOINED
              + " where c.type = ? and not c.deleted"
              + groupFilters(query.allOf().size())
              + " order by c.seq" + order + " offset ? limit ?";
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = bindFilter(c, ps, type, query);
      ps.setInt(i++, query.offset());
      ps.setInt(i, query.limit());
      List<StoredRecord> out = new ArrayList<>(Math.min(query.limit(), 1024));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(record(type, rs));
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("search", e);
    }
  }

  @Override
  public long count(String type, Query query) {
    Objects.requireNonNull(type, "type");
    String sql =
        isSingleToken(query)
            ? "select count(*) from search_token t where t.type = ? and t.token = ?"
            : "select count(*) from resource_current c where c.type = ? and not c.deleted"
                + groupFilters(query.allOf().size());
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bindFilter(c, ps, type, query);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw unavailable("count", e);
    }
  }

  // Tokens exist only for current non-deleted versions and carry their seq, so a single token is
  // answered from search_token alone; several tokens dedupe through resource_current.
  private static boolean isSingleToken(Query q) {
    return q.allOf().size() == 1 && q.allOf().get(0).size() == 1;
  }

  private static String groupFilters(int groups) {
    return " and c.seq in (select t.seq from search_token t where t.type = c.type and t.token = any(?))"
        .repeat(groups);
  }

  private static int bindFilter(Connection c, PreparedStatement ps, String type, Query q)
      throws SQLException {
    int i = 1;
    ps.setString(i++, type);
    if (isSingleToken(q)) {
      ps.setBytes(i++, q.allOf().get(0).get(0));
      return i;
    }
    for (List<byte[]> group : q.allOf()) {
      ps.setArray(i++, c.createArrayOf("bytea", group.toArray(new byte[0][])));
    }
    return i;
  }

  @Override
  public void write(List<VersionWrite> writes) {
    if (writes.isEmpty()) return;
    // The last write per resource decides its current row and tokens; earlier ones only add versions.
    Map<Key, VersionWrite> last = new LinkedHashMap<>();
    for (VersionWrite w : writes) last.put(new Key(w.type(), w.id()), w);

    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        Map<Key, Current> existing = loadCurrent(c, last.keySet(), true);
        checkVersions(writes, existing);
        writeAll(c, writes, last, existing);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        if (e instanceof SQLException s && UNIQUE_VIOLATION.equals(s.getSQLState())) {
          throw conflictAfterRace(c, writes, last.keySet());
        }
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw unavailable("write", e);
    }
  }

  private static void writeAll(
      Connection c, List<VersionWrite> writes, Map<Key, VersionWrite> last, Map<Key, Current> existing)
      throws SQLException {
    long[] seqs = nextSeqs(c, last.size());

    if (!existing.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(DELETE_TOKENS)) {
        ps.setArray(1, c.createArrayOf("bigint", existing.values().stream().map(Current::seq).toArray()));
        ps.executeUpdate();
      }
    }

    try (PreparedStatement ps = c.prepareStatement(INSERT_VERSION)) {
      for (VersionWrite w : writes) {
        ps.setString(1, w.type());
        ps.setString(2, w.id());
        ps.setLong(3, w.version());
        ps.setBytes(4, w.patient() == null ? null : w.patient().bytes());
        ps.setBoolean(5, w.deleted());
        ps.setBytes(6, w.ciphertext());
        ps.addBatch();
      }
      ps.executeBatch();
    }

    try (PreparedStatement insert = c.prepareStatement(INSERT_CURRENT);
        PreparedStatement update = c.prepareStatement(UPDATE_CURRENT);
        PreparedStatement token = c.prepareStatement(INSERT_TOKEN)) {
      int n = 0, inserts = 0, tokens = 0;
      List<Key> updated = new ArrayList<>();
      for (Map.Entry<Key, VersionWrite> e : last.entrySet()) {
        VersionWrite w = e.getValue();
        long seq = seqs[n++];
        byte[] patient = w.patient() == null ? null : w.patient().bytes();
        Current before = existing.get(e.getKey());
        if (before == null) {
          insert.setString(1, w.type());
          insert.setString(2, w.id());
          insert.setLong(3, w.version());
          insert.setBytes(4, patient);
          insert.setBoolean(5, w.deleted());
          insert.setLong(6, seq);
          insert.addBatch();
          inserts++;
        } else {
          update.setLong(1, w.version());
          update.setBytes(2, patient);
          update.setBoolean(3, w.deleted());
          update.setLong(4, seq);
          update.setString(5, w.type());
          update.setString(6, w.id());
          update.setLong(7, before.version());
          update.addBatch();
          updated.add(e.getKey());
        }
        if (!w.deleted()) {
          Set<ByteBuffer> distinct = new HashSet<>();
          for (byte[] t : w.tokens()) {
            if (!distinct.add(ByteBuffer.wrap(t))) continue;
            token.setString(1, w.type());
            token.setBytes(2, t);
            token.setLong(3, seq);
            token.setString(4, w.id());
            token.addBatch();
            tokens++;
          }
        }
      }
      if (inserts > 0) insert.executeBatch();
      if (!updated.isEmpty()) {
        int[] counts = update.executeBatch();
        for (int i = 0; i < counts.length; i++) {
          // The rows are locked, so this only fires if the schema's invariants were broken.
          if (counts[i] != 1) {
            Key k = updated.get(i);
            throw new WardException.VersionConflict(
                k.type() + "/" + k.id() + ": current version changed during the write");
          }
        }
      }
      if (tokens > 0) token.executeBatch();
    }
  }

  private static long[] nextSeqs(Connection c, int n) throws SQLException {
    long[] seqs = new long[n];
    try (PreparedStatement ps = c.prepareStatement(NEXT_SEQS)) {
      ps.setInt(1, n);
      try (ResultSet rs = ps.executeQuery()) {
        for (int i = 0; i < n && rs.next(); i++) seqs[i] = rs.getLong(1);
      }
    }
    return seqs;
  }

  private static Map<Key, Current> loadCurrent(Connection c, Set<Key> keys, boolean lock)
      throws SQLException {
    Object[] types = keys.stream().map(Key::type).toArray();
    Object[] ids = keys.stream().map(Key::id).toArray();
    Map<Key, Current> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(lock ? LOCK_CURRENT : READ_CURRENT_VERSIONS)) {
      ps.setArray(1, c.createArrayOf("text", types));
      ps.setArray(2, c.createArrayOf("text", ids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(new Key(rs.getString(1), rs.getString(2)), new Current(rs.getLong(3), rs.getLong(4)));
        }
      }
    }
    return out;
  }

  /** Replays the writes in order over the current versions; throws on the first mismatch. */
  private static void checkVersions(List<VersionWrite> writes, Map<Key, Current> existing) {
    Map<Key, Long> versions = new HashMap<>();
    existing.forEach((k, v) -> versions.put(k, v.version()));
    for (VersionWrite w : writes) {
      Key k = new Key(w.type(), w.id());
      Long current = versions.get(k);
      if (w.version() == 1 && current != null) {
        throw new WardException.VersionConflict(
            w.type() + "/" + w.id() + ": cannot create version 1, current version is " + current);
      }
      if (w.version() > 1 && (current == null || current != w.version() - 1)) {
        throw new WardException.VersionConflict(
            w.type() + "/" + w.id() + ": cannot write version " + w.version() + ", current version is "
                + (current == null ? "none" : current));
      }
      versions.put(k, w.version());
    }
  }

  /** A concurrent writer won a primary-key race; name the resource it took, if it can be seen. */
  private static WardException conflictAfterRace(Connection c, List<VersionWrite> writes, Set<Key> keys) {
    try {
      c.setAutoCommit(true);
      checkVersions(writes, loadCurrent(c, keys, false));
    } catch (WardException.VersionConflict e) {
      return e;
    } catch (SQLException e) {
      return unavailable("write", e);
    }
    return new WardException.VersionConflict("a resource in this write was changed concurrently");
  }

  private Optional<StoredRecord> readOne(String sql, String type, String id, Long version, String what) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, type);
      ps.setString(2, id);
      if (version != null) ps.setLong(3, version);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(record(type, rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw unavailable(what, e);
    }
  }

  /** Maps columns (id, version, patient, deleted, ciphertext). */
  private static StoredRecord record(String type, ResultSet rs) throws SQLException {
    byte[] patient = rs.getBytes(3);
    return new StoredRecord(
        type,
        rs.getString(1),
        rs.getLong(2),
        patient == null ? null : Pseudonym.of(patient),
        rs.getBoolean(4),
        rs.getBytes(5));
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; the original failure is the one to report.
    }
  }

  // SQLState only: driver messages can quote parameter values, which may be pseudonyms or tokens.
  private static WardException.StoreUnavailable unavailable(String what, SQLException e) {
    return new WardException.StoreUnavailable(
        "record store could not " + what + " (SQLState " + e.getSQLState() + ")", null);
  }

  private record Key(String type, String id) {}

  private record Current(long version, long seq) {}
}
