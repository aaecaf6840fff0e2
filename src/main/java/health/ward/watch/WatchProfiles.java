package health.ward.watch;

import com.google.gson.JsonParser;
import health.ward.common.WardException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the watch learned of each actor, kept across restarts (table {@code watch_profile}): peaks,
 * working hours, and the addresses tokens come from. A profile that cannot be read is logged and
 * skipped: that actor starts afresh, on the floors and its role's baseline.
 */
public final class WatchProfiles {
  private static final Logger LOG = LoggerFactory.getLogger(WatchProfiles.class);
  private final DataSource dataSource;

  public WatchProfiles(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  Map<String, ActorState> load() {
    Map<String, ActorState> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select actor, profile from watch_profile");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        try {
          out.put(rs.getString(1), ActorState.fromJson(rs.getString(1), JsonParser.parseString(rs.getString(2)).getAsJsonObject()));
        } catch (RuntimeException bad) {
          LOG.warn("watch profile of {} is unreadable and starts afresh: {}", rs.getString(1), bad.getMessage());
        }
      }
      return out;
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not read watch profiles", e);
    }
  }

  /** Writes every profile (actor → JSON) in one transaction. */
  void save(Map<String, String> profiles, Instant at) {
    if (profiles.isEmpty()) return;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          "insert into watch_profile (actor, profile, updated_at) values (?, ?, ?)"
              + " on conflict (actor) do update set profile = excluded.profile, updated_at = excluded.updated_at")) {
        for (var e : profiles.entrySet()) {
          ps.setString(1, e.getKey());
          ps.setString(2, e.getValue());
          ps.setObject(3, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not save watch profiles", e);
    }
  }
}
