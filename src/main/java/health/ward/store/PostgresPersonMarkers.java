package health.ward.store;

import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/** Reads the person markers ({@link PersonMarker}) stored with Patient and Practitioner resources. */
public final class PostgresPersonMarkers {
  private final DataSource dataSource;

  public PostgresPersonMarkers(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** The markers of {@code patient}'s Patient resource(s). */
  public List<PersonMarker> ofPatient(Pseudonym patient) {
    return query("select kind, token, at from person_marker where patient = ?", ps -> ps.setBytes(1, patient.bytes()));
  }

  /** The markers of one resource, e.g. a staff member's Practitioner. */
  public List<PersonMarker> of(String type, String id) {
    return query("select kind, token, at from person_marker where type = ? and id = ?", ps -> {
      ps.setString(1, type);
      ps.setString(2, id);
    });
  }

  /** The markers of several resources of one type (e.g. every staff member's Practitioner). */
  public List<PersonMarker> of(String type, List<String> ids) {
    return query("select kind, token, at from person_marker where type = ? and id = any(?)", ps -> {
      ps.setString(1, type);
      ps.setArray(2, ps.getConnection().createArrayOf("text", ids.toArray()));
    });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<PersonMarker> query(String sql, Binder binder) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      List<PersonMarker> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          OffsetDateTime at = rs.getObject(3, OffsetDateTime.class);
          out.add(new PersonMarker(rs.getString(1), rs.getBytes(2), at == null ? null : at.toInstant()));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not read person markers", e);
    }
  }
}
