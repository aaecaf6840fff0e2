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
 * The PostgreSQL {@link RecordStore} (schema {@code V1__records.sql}). Every read and search, and
 * {@link #current(String, List)} for a page of ids, is one prepared statement returning full records;
 * a write of any size is one statement over arrays plus the commit, so two round trips. Database
 * failures surface as {@link WardException.StoreUnavailable} whose message carries only the
 * operation and SQLState (no ids, tokens or driver text, and no cause that could quote them).
 * Version mismatches surface as {@link WardException.VersionConflict} naming type, id and versions.
 *
 * <p>Concurrency: concurrent creates of one id race on the version primary key and exactly one
 * wins; concurrent updates from the same version race on the current row and exactly one wins.
 * Losers get {@code VersionConflict}, and nothing of their write is stored.
 */
public final class PostgresRecordStore implements RecordStore {
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

  private static final String READ_CURRENT_VERSIONS =
      "select c.type, c.id, c.version from resource_current c"
          + " join unnest(?::text[], ?::text[]) as k(type, id) on c.type = k.type and c.id = k.id";

  // Data-modifying CTEs share one snapshot: dt and upd see the current rows as they were before
  // this statement, so dt removes exactly the replaced versions' tokens. An update that waits for a
  // concurrent writer re-checks "c.version = f.before" and then matches nothing: a conflict.
  private static final String WRITE =
      "with v as (insert into resource_version (type, id, version, patient, deleted, ciphertext)"
          + "   select * from unnest(?::text[], ?::text[], ?::bigint[], ?::bytea[], ?::boolean[], ?::bytea[])),"
          + " f as materialized (select u.*, nextval('resource_seq') as seq"
          + "   from unnest(?::text[], ?::text[], ?::bigint[], ?::bytea[], ?::boolean[], ?::bigint[])"
          + "   with ordinality as u(type, id, version, patient, deleted, before, ord)),"
          + " dt as (delete from search_token t using resource_current c, f"
          + "   where f.before is not null and c.type = f.type and c.id = f.id and c.version = f.before"
          + "   and t.seq = c.seq),"
          + " ins as (insert into resource_current (type, id, version, patient, deleted, seq)"
          + "   select type, id, version, patient, deleted, seq from f where before is null returning 1),"
          + " upd as (update resource_current c"
          + "   set version = f.version, patient = f.patient, deleted = f.deleted, seq = f.seq from f"
          + "   where f.before is not null and c.type = f.type and c.id = f.id and c.version = f.before"
          + "   returning 1),"
          + " tok as (insert into search_token (type, token, seq, id)"
          + "   select f.type, k.token, f.seq, f.id from unnest(?::integer[], ?::bytea[]) as k(ord, token)"
          + "   join f on f.ord = k.ord)"
          + " select (select count(*) from ins), (select count(*) from upd)";

  /** Unique violation (a concurrent create won), deadlock, serialization failure. */
  private static final Set<String> CONFLICT_STATES = Set.of("23505", "40P01", "40001");

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
   * Every id of {@code type} ever stored (deleted ones included), e.g. to map patient pseudonyms
   * back to patient ids for a breach report. Ids are server-assigned and not PHI.
   */
  public List<String> ids(String type) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select distinct id from resource_version where type = ?")) {
      ps.setString(1, type);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("list ids", e);
    }
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
              + " where t.type = ? and t.token = ?" + visibilityFilter(query.visibility())
              + " order by t.seq" + order + " offset ? limit ?";
    } else {
      sql =
          SELECT_JOINED
              + " where c.type = ? and not c.deleted"
              + groupFilters(query.allOf().size())
              + visibilityFilter(query.visibility())
              + " order by c.seq" + order + " offset ? limit ?";
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = bindFilter(c, ps, type, query);
      i = bindVisibility(c, ps, i, query.visibility());
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
            ? query.visibility() == null
                ? "select count(*) from search_token t where t.type = ? and t.token = ?"
                : "select count(*) from search_token t join resource_current c on c.type = t.type and c.id = t.id"
                    + " where t.type = ? and t.token = ?" + visibilityFilter(query.visibility())
            : "select count(*) from resource_current c where c.type = ? and not c.deleted"
                + groupFilters(query.allOf().size())
                + visibilityFilter(query.visibility());
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bindVisibility(c, ps, bindFilter(c, ps, type, query), query.visibility());
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

  // Resources of no patient stay visible; emergency grants override everything else.
  private static final String RELATED =
      " c.patient in (select f.patient from care_fact f where f.subject = any(?) and f.kind <> 'consent-deny'"
          + " and (f.until is null or f.until >= case when f.kind = 'encounter' then ?::timestamptz else ?::timestamptz end))";
  private static final String NOT_DENIED =
      " c.patient not in (select f.patient from care_fact f where f.kind = 'consent-deny'"
          + " and (f.subject is null or f.subject = any(?)) and (f.until is null or f.until >= ?::timestamptz))";

  private static String visibilityFilter(Visibility v) {
    if (v == null) return "";
    return " and (c.patient is null or c.patient = any(?) or ("
        + (v.requireRelationship() ? RELATED + " and" : "") + NOT_DENIED + "))";
  }

  private static int bindVisibility(Connection c, PreparedStatement ps, int i, Visibility v) throws SQLException {
    if (v == null) return i;
    ps.setArray(i++, c.createArrayOf("bytea", v.emergency().stream().map(Pseudonym::bytes).toArray(byte[][]::new)));
    java.time.OffsetDateTime now = java.time.OffsetDateTime.ofInstant(v.now(), java.time.ZoneOffset.UTC);
    if (v.requireRelationship()) {
      ps.setArray(i++, c.createArrayOf("bytea", v.subjects().toArray(new byte[0][])));
      ps.setObject(i++, java.time.OffsetDateTime.ofInstant(v.encounterCutoff(), java.time.ZoneOffset.UTC));
      ps.setObject(i++, now);
    }
    ps.setArray(i++, c.createArrayOf("bytea", v.denySubjects().toArray(new byte[0][])));
    ps.setObject(i++, now);
    return i;
  }

  // Uncorrelated on purpose: PostgreSQL turns an uncorrelated IN into a semi-join it can drive from
  // the token index; a correlated one (t.type = c.type) would run once per current row.
  private static String groupFilters(int groups) {
    return " and c.seq in (select t.seq from search_token t where t.type = ? and t.token = any(?))"
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
      ps.setString(i++, type);
      ps.setArray(i++, c.createArrayOf("bytea", group.toArray(new byte[0][])));
    }
    return i;
  }

  @Override
  public void write(List<VersionWrite> writes) {
    if (writes.isEmpty()) return;
    // The last write per resource decides its current row and tokens; earlier ones only add versions.
    Map<Key, VersionWrite> last = new LinkedHashMap<>();
    Map<Key, Long> before = new HashMap<>();
    for (VersionWrite w : writes) {
      Key k = new Key(w.type(), w.id());
      VersionWrite previous = last.put(k, w);
      if (previous == null) {
        before.put(k, w.version() - 1);
      } else if (w.version() != previous.version() + 1) {
        throw new WardException.VersionConflict(
            w.type() + "/" + w.id() + ": cannot write version " + w.version() + " after version "
                + previous.version() + " in the same write");
      }
    }

    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        int[] counts = writeAll(c, writes, last, before);
        int updates = (int) before.values().stream().filter(v -> v > 0).count();
        if (counts[0] != last.size() - updates || counts[1] != updates) {
          c.rollback();
          throw conflictAfterRace(c, writes, last.keySet());
        }
        writeFacts(c, last.values());
        writeMarkers(c, last.values());
        c.commit();
      } catch (SQLException e) {
        rollbackQuietly(c);
        if (CONFLICT_STATES.contains(e.getSQLState())) throw conflictAfterRace(c, writes, last.keySet());
        throw e;
      } catch (RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("write", e);
    }
  }

  /**
   * The whole write as one statement (one round trip): new versions, new or replaced current rows
   * each with a fresh seq, old tokens removed, new tokens added. An update applies only if the
   * current version is still the expected one; the counts of created and updated rows tell.
   * Returns {created, updated}.
   */
  private static int[] writeAll(
      Connection c, List<VersionWrite> writes, Map<Key, VersionWrite> last, Map<Key, Long> before)
      throws SQLException {
    int n = writes.size();
    Object[] vType = new Object[n], vId = new Object[n], vVersion = new Object[n];
    Object[] vDeleted = new Object[n];
    byte[][] vPatient = new byte[n][], vCiphertext = new byte[n][];
    for (int i = 0; i < n; i++) {
      VersionWrite w = writes.get(i);
      vType[i] = w.type();
      vId[i] = w.id();
      vVersion[i] = w.version();
      vPatient[i] = w.patient() == null ? null : w.patient().bytes();
      vDeleted[i] = w.deleted();
      vCiphertext[i] = w.ciphertext();
    }

    int m = last.size();
    Object[] fType = new Object[m], fId = new Object[m], fVersion = new Object[m];
    Object[] fDeleted = new Object[m], fBefore = new Object[m];
    byte[][] fPatient = new byte[m][];
    List<Object> tOrd = new ArrayList<>();
    List<byte[]> tToken = new ArrayList<>();
    int i = 0;
    for (Map.Entry<Key, VersionWrite> e : last.entrySet()) {
      VersionWrite w = e.getValue();
      long expected = before.get(e.getKey());
      fType[i] = w.type();
      fId[i] = w.id();
      fVersion[i] = w.version();
      fPatient[i] = w.patient() == null ? null : w.patient().bytes();
      fDeleted[i] = w.deleted();
      fBefore[i] = expected == 0 ? null : expected;
      i++;
      if (w.deleted()) continue;
      Set<ByteBuffer> distinct = new HashSet<>();
      for (byte[] t : w.tokens()) {
        if (distinct.add(ByteBuffer.wrap(t))) {
          tOrd.add(i);
          tToken.add(t);
        }
      }
    }

    try (PreparedStatement ps = c.prepareStatement(WRITE)) {
      int p = 1;
      ps.setArray(p++, c.createArrayOf("text", vType));
      ps.setArray(p++, c.createArrayOf("text", vId));
      ps.setArray(p++, c.createArrayOf("bigint", vVersion));
      ps.setArray(p++, c.createArrayOf("bytea", vPatient));
      ps.setArray(p++, c.createArrayOf("boolean", vDeleted));
      ps.setArray(p++, c.createArrayOf("bytea", vCiphertext));
      ps.setArray(p++, c.createArrayOf("text", fType));
      ps.setArray(p++, c.createArrayOf("text", fId));
      ps.setArray(p++, c.createArrayOf("bigint", fVersion));
      ps.setArray(p++, c.createArrayOf("bytea", fPatient));
      ps.setArray(p++, c.createArrayOf("boolean", fDeleted));
      ps.setArray(p++, c.createArrayOf("bigint", fBefore));
      ps.setArray(p++, c.createArrayOf("integer", tOrd.toArray()));
      ps.setArray(p, c.createArrayOf("bytea", tToken.toArray(new byte[0][])));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new int[] {rs.getInt(1), rs.getInt(2)};
      }
    }
  }

  /** Replaces the care facts of every written resource that states them (or was deleted). */
  private static void writeFacts(Connection c, java.util.Collection<VersionWrite> writes) throws SQLException {
    List<Object> types = new ArrayList<>(), ids = new ArrayList<>();
    List<Object> fType = new ArrayList<>(), fId = new ArrayList<>(), fKind = new ArrayList<>(), fUntil = new ArrayList<>();
    List<byte[]> fPatient = new ArrayList<>(), fSubject = new ArrayList<>();
    for (VersionWrite w : writes) {
      if (w.facts() == null && !w.deleted()) continue;
      types.add(w.type());
      ids.add(w.id());
      if (w.deleted() || w.facts() == null || w.patient() == null) continue;
      for (CareFact f : w.facts()) {
        fType.add(w.type());
        fId.add(w.id());
        fPatient.add(w.patient().bytes());
        fKind.add(f.kind());
        fSubject.add(f.subject());
        fUntil.add(f.until() == null ? null : java.time.OffsetDateTime.ofInstant(f.until(), java.time.ZoneOffset.UTC));
      }
    }
    if (types.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement(
        "delete from care_fact f using unnest(?::text[], ?::text[]) as k(type, id) where f.type = k.type and f.id = k.id")) {
      ps.setArray(1, c.createArrayOf("text", types.toArray()));
      ps.setArray(2, c.createArrayOf("text", ids.toArray()));
      ps.executeUpdate();
    }
    if (fType.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement(
        "insert into care_fact (type, id, patient, kind, subject, until)"
            + " select * from unnest(?::text[], ?::text[], ?::bytea[], ?::text[], ?::bytea[], ?::timestamptz[])")) {
      ps.setArray(1, c.createArrayOf("text", fType.toArray()));
      ps.setArray(2, c.createArrayOf("text", fId.toArray()));
      ps.setArray(3, c.createArrayOf("bytea", fPatient.toArray(new byte[0][])));
      ps.setArray(4, c.createArrayOf("text", fKind.toArray()));
      ps.setArray(5, c.createArrayOf("bytea", fSubject.toArray(new byte[0][])));
      ps.setArray(6, c.createArrayOf("timestamptz", fUntil.toArray()));
      ps.executeUpdate();
    }
  }

  /** Replaces the person markers of every written resource that states them (or was deleted). */
  private static void writeMarkers(Connection c, java.util.Collection<VersionWrite> writes) throws SQLException {
    List<Object> types = new ArrayList<>(), ids = new ArrayList<>();
    List<Object> mType = new ArrayList<>(), mId = new ArrayList<>(), mKind = new ArrayList<>(), mAt = new ArrayList<>();
    List<byte[]> mPatient = new ArrayList<>(), mToken = new ArrayList<>();
    for (VersionWrite w : writes) {
      if (w.markers() == null && !(w.deleted() && PERSON_TYPES.contains(w.type()))) continue;
      types.add(w.type());
      ids.add(w.id());
      if (w.deleted() || w.markers() == null) continue;
      for (PersonMarker m : w.markers()) {
        mType.add(w.type());
        mId.add(w.id());
        mPatient.add(w.type().equals("Patient") && w.patient() != null ? w.patient().bytes() : null);
        mKind.add(m.kind());
        mToken.add(m.token());
        mAt.add(m.at() == null ? null : java.time.OffsetDateTime.ofInstant(m.at(), java.time.ZoneOffset.UTC));
      }
    }
    if (types.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement(
        "delete from person_marker m using unnest(?::text[], ?::text[]) as k(type, id) where m.type = k.type and m.id = k.id")) {
      ps.setArray(1, c.createArrayOf("text", types.toArray()));
      ps.setArray(2, c.createArrayOf("text", ids.toArray()));
      ps.executeUpdate();
    }
    if (mType.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement(
        "insert into person_marker (type, id, patient, kind, token, at)"
            + " select * from unnest(?::text[], ?::text[], ?::bytea[], ?::text[], ?::bytea[], ?::timestamptz[])")) {
      ps.setArray(1, c.createArrayOf("text", mType.toArray()));
      ps.setArray(2, c.createArrayOf("text", mId.toArray()));
      ps.setArray(3, c.createArrayOf("bytea", mPatient.toArray(new byte[0][])));
      ps.setArray(4, c.createArrayOf("text", mKind.toArray()));
      ps.setArray(5, c.createArrayOf("bytea", mToken.toArray(new byte[0][])));
      ps.setArray(6, c.createArrayOf("timestamptz", mAt.toArray()));
      ps.executeUpdate();
    }
  }

  /** The types whose resources state person markers. */
  private static final Set<String> PERSON_TYPES = Set.of("Patient", "Practitioner");

  private static Map<Key, Long> loadCurrent(Connection c, Set<Key> keys) throws SQLException {
    Object[] types = keys.stream().map(Key::type).toArray();
    Object[] ids = keys.stream().map(Key::id).toArray();
    Map<Key, Long> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(READ_CURRENT_VERSIONS)) {
      ps.setArray(1, c.createArrayOf("text", types));
      ps.setArray(2, c.createArrayOf("text", ids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.put(new Key(rs.getString(1), rs.getString(2)), rs.getLong(3));
      }
    }
    return out;
  }

  /** Replays the writes in order over the current versions; throws on the first mismatch. */
  private static void checkVersions(List<VersionWrite> writes, Map<Key, Long> existing) {
    Map<Key, Long> versions = new HashMap<>(existing);
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
      checkVersions(writes, loadCurrent(c, keys));
    } catch (WardException.VersionConflict e) {
      return e;
    } catch (SQLException e) {
      return unavailable("write", e);
    }
    String named = keys.stream().limit(5).map(k -> k.type() + "/" + k.id()).toList().toString();
    return new WardException.VersionConflict(
        "a resource in this write was changed concurrently, one of " + named);
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
}
