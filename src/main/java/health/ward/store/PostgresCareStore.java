package health.ward.store;

import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * What access decisions read besides records: the care facts written with CareTeam, Encounter and
 * Consent resources (table {@code care_fact}, see {@link CareFact}), and break-the-glass grants
 * (table {@code emergency_grant}). Like the record store it sees pseudonyms and blind tokens only.
 */
public final class PostgresCareStore {
  /** One break-the-glass grant; {@code reason} is sealed under the patient's key. */
  public record EmergencyGrant(
      long id, String actor, String actorName, Pseudonym patient, String resource, Instant grantedAt, Instant expiresAt,
      byte[] reason, long ledgerIndex, Instant reviewedAt, String reviewedBy, String verdict) {
    public EmergencyGrant {
      reason = reason.clone();
    }

    @Override
    public byte[] reason() {
      return reason.clone();
    }
  }

  private static final String SELECT_GRANT =
      "select id, actor, actor_name, patient, granted_at, expires_at, reason, ledger_index, reviewed_at, reviewed_by, verdict,"
          + " resource from emergency_grant";

  private final DataSource dataSource;

  public PostgresCareStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * What holds now between {@code patient} and a principal, in one query: the kinds of care fact
   * ({@code care-team}, {@code encounter}, {@code admitted}) naming one of {@code subjects} — an
   * encounter if it ended at or after {@code encounterCutoff}, the others if they end at or after
   * {@code now} — plus {@code consent-deny} if a consent that holds now denies everyone or one of
   * {@code denySubjects}.
   */
  public Set<String> facts(Pseudonym patient, List<byte[]> subjects, List<byte[]> denySubjects, Instant now, Instant encounterCutoff) {
    String sql =
        "select distinct kind from care_fact where patient = ? and ("
            + " (kind <> 'consent-deny' and subject = any(?)"
            + "   and (until is null or until >= case when kind = 'encounter' then ?::timestamptz else ?::timestamptz end))"
            + " or (kind = 'consent-deny' and (subject is null or subject = any(?)) and (until is null or until >= ?::timestamptz)))";
    return kinds(sql, (c, ps) -> {
      ps.setBytes(1, patient.bytes());
      ps.setArray(2, c.createArrayOf("bytea", subjects.toArray(new byte[0][])));
      ps.setObject(3, utc(encounterCutoff));
      ps.setObject(4, utc(now));
      ps.setArray(5, c.createArrayOf("bytea", denySubjects.toArray(new byte[0][])));
      ps.setObject(6, utc(now));
    });
  }

  private interface Binder {
    void bind(Connection c, PreparedStatement ps) throws SQLException;
  }

  /** The first column of every row of {@code sql}: kinds of care fact. */
  private Set<String> kinds(String sql, Binder binder) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(c, ps);
      Set<String> out = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read care facts", e);
    }
  }

  /**
   * The kinds of care fact that hold for {@code patient} now with anyone: {@code admitted} while an
   * encounter is in progress, {@code encounter} for one that ended at or after
   * {@code encounterCutoff}, {@code care-team} for an active team. Empty for a patient nobody is
   * caring for.
   */
  public Set<String> careContext(Pseudonym patient, Instant now, Instant encounterCutoff) {
    String sql =
        "select distinct kind from care_fact where patient = ? and kind <> 'consent-deny'"
            + " and (until is null or until >= case when kind = 'encounter' then ?::timestamptz else ?::timestamptz end)";
    return kinds(sql, (c, ps) -> {
      ps.setBytes(1, patient.bytes());
      ps.setObject(2, utc(encounterCutoff));
      ps.setObject(3, utc(now));
    });
  }

  /** Break-the-glass grants {@code actor} received since {@code since}. */
  public int grantsSince(String actor, Instant since) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select count(*) from emergency_grant where actor = ? and granted_at >= ?")) {
      ps.setString(1, actor);
      ps.setObject(2, utc(since));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw unavailable("read emergency grants", e);
    }
  }

  /** Records a grant; returns its id. */
  public long grant(
      String actor, String actorName, Pseudonym patient, String resource, Instant at, Instant expires, byte[] sealedReason,
      long ledgerIndex) {
    String sql =
        "insert into emergency_grant (actor, actor_name, patient, granted_at, expires_at, reason, ledger_index, resource)"
            + " values (?, ?, ?, ?, ?, ?, ?, ?) returning id";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, actor);
      ps.setString(2, actorName);
      ps.setBytes(3, patient.bytes());
      ps.setObject(4, utc(at));
      ps.setObject(5, utc(expires));
      ps.setBytes(6, sealedReason);
      ps.setLong(7, ledgerIndex);
      ps.setString(8, resource);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw unavailable("record an emergency grant", e);
    }
  }

  /** The patients {@code actor} holds a live grant for at {@code now}. */
  public List<Pseudonym> emergencyPatients(String actor, Instant now) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select distinct patient from emergency_grant where actor = ? and expires_at > ? and granted_at <= ?")) {
      ps.setString(1, actor);
      ps.setObject(2, utc(now));
      ps.setObject(3, utc(now));
      List<Pseudonym> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(Pseudonym.of(rs.getBytes(1)));
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read emergency grants", e);
    }
  }

  /** Grants, newest first: all of them, or only those not yet reviewed. */
  public List<EmergencyGrant> grants(boolean unreviewedOnly) {
    String sql = SELECT_GRANT + (unreviewedOnly ? " where reviewed_at is null" : "") + " order by id desc limit 10000";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      List<EmergencyGrant> out = new ArrayList<>();
      while (rs.next()) out.add(grant(rs));
      return out;
    } catch (SQLException e) {
      throw unavailable("list emergency grants", e);
    }
  }

  public Optional<EmergencyGrant> grant(long id) {
    String sql = SELECT_GRANT + " where id = ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(grant(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw unavailable("read an emergency grant", e);
    }
  }

  /** Closes the review of a grant; false if it does not exist or was already reviewed. */
  public boolean review(long id, String reviewer, String verdict, Instant at) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "update emergency_grant set reviewed_at = ?, reviewed_by = ?, verdict = ? where id = ? and reviewed_at is null")) {
      ps.setObject(1, utc(at));
      ps.setString(2, reviewer);
      ps.setString(3, verdict);
      ps.setLong(4, id);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw unavailable("review an emergency grant", e);
    }
  }

  private static EmergencyGrant grant(ResultSet rs) throws SQLException {
    OffsetDateTime reviewed = rs.getObject(9, OffsetDateTime.class);
    return new EmergencyGrant(
        rs.getLong(1), rs.getString(2), rs.getString(3), Pseudonym.of(rs.getBytes(4)), rs.getString(12),
        rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getObject(6, OffsetDateTime.class).toInstant(),
        rs.getBytes(7), rs.getLong(8), reviewed == null ? null : reviewed.toInstant(), rs.getString(10), rs.getString(11));
  }

  private static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  private static WardException.StoreUnavailable unavailable(String what, SQLException e) {
    return new WardException.StoreUnavailable("care store could not " + what + " (SQLState " + e.getSQLState() + ")", null);
  }
}
