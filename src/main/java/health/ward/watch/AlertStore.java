package health.ward.watch;

import health.ward.common.WardException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/** The alerts detectors raised (table {@code watch_alert}), and what security officers made of them. */
public final class AlertStore {
  private static final String SELECT =
      "select id, at, detector, severity, actor, actor_name, role, session, address, patient, explanation, response,"
          + " ledger_index, status, verdict, handled_by, count from watch_alert";
  /** Verdicts an alert may be closed with. */
  public static final List<String> VERDICTS = List.of("true-positive", "false-positive", "benign");

  private final DataSource dataSource;

  public AlertStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  long insert(Alert a) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "insert into watch_alert (at, detector, severity, actor, actor_name, role, session, address, patient, explanation,"
                + " response, ledger_index) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id")) {
      ps.setObject(1, utc(a.at()));
      ps.setString(2, a.detector());
      ps.setString(3, a.severity().code());
      ps.setString(4, a.actor());
      ps.setString(5, a.actorName());
      ps.setString(6, a.role());
      ps.setString(7, a.session());
      ps.setString(8, a.address());
      ps.setString(9, a.patient());
      ps.setString(10, a.explanation());
      ps.setString(11, a.response().code());
      ps.setLong(12, a.ledgerIndex());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not store an alert", e);
    }
  }

  /** Counts {@code n} more findings into an alert. */
  void bump(long id, long n) {
    update("update watch_alert set count = count + ? where id = ?", ps -> {
      ps.setLong(1, n);
      ps.setLong(2, id);
    });
  }

  /** Alerts newest first: all, or those with {@code status} (open, acknowledged, closed). */
  public List<Alert> list(String status, int limit) {
    if (status != null && !List.of("open", "acknowledged", "closed").contains(status)) {
      throw new WardException.InvalidRequest("status is open, acknowledged or closed");
    }
    String sql = SELECT + (status == null ? "" : " where status = ?") + " order by id desc limit ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (status != null) ps.setString(i++, status);
      ps.setInt(i, limit);
      return read(ps);
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not read alerts", e);
    }
  }

  public Optional<Alert> find(long id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT + " where id = ?")) {
      ps.setLong(1, id);
      return read(ps).stream().findFirst();
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not read alerts", e);
    }
  }

  /** Acknowledges an open alert; false if it was not open. */
  public boolean acknowledge(long id, String by, Instant at) {
    return update("update watch_alert set status = 'acknowledged', handled_by = ?, handled_at = ? where id = ? and status = 'open'",
        ps -> {
          ps.setString(1, by);
          ps.setObject(2, utc(at));
          ps.setLong(3, id);
        }) == 1;
  }

  /** Closes an alert that is not closed with a verdict; false if it was closed already. */
  public boolean close(long id, String verdict, String by, Instant at) {
    return update("update watch_alert set status = 'closed', verdict = ?, handled_by = ?, handled_at = ? where id = ? and status <> 'closed'",
        ps -> {
          ps.setString(1, verdict);
          ps.setString(2, by);
          ps.setObject(3, utc(at));
          ps.setLong(4, id);
        }) == 1;
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private int update(String sql, Binder b) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      b.bind(ps);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not update an alert", e);
    }
  }

  private static List<Alert> read(PreparedStatement ps) throws SQLException {
    List<Alert> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Alert(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
            Severity.valueOf(rs.getString(4).toUpperCase(java.util.Locale.ROOT)), rs.getString(5), rs.getString(6),
            rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
            Response.of(rs.getString(12)), rs.getLong(13), rs.getString(14), rs.getString(15), rs.getString(16), rs.getInt(17)));
      }
    }
    return out;
  }

  private static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
