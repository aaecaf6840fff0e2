package health.ward.watch;

import health.ward.common.Canonical;
import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.vault.RecordVault;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Flags security officers put on patients: {@code canary} (a honeytoken record no legitimate
 * workflow touches), {@code vip} and {@code staff}. Stored as a keyed token of (flag, patient
 * pseudonym) only, so a copy of the database does not tell which records are canaries; the
 * reference and note are sealed under the directory key for listing. Held in memory for the inline
 * checks, reloaded every 30 s so that flags set by a command beside a running server take effect.
 */
public final class WatchFlags {
  public static final Set<String> FLAGS = Set.of("canary", "vip", "staff");
  private static final Duration RELOAD = Duration.ofSeconds(30);

  /** One flag as an officer sees it. */
  public record Flag(String flag, String patient, String note, String setBy, Instant setAt) {}

  private final DataSource dataSource;
  private final RecordVault vault;
  private final Clock clock;
  private volatile Set<ByteBuffer> tokens = Set.of();
  private volatile Instant loaded = Instant.MIN;

  public WatchFlags(DataSource dataSource, RecordVault vault, Clock clock) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.vault = Objects.requireNonNull(vault, "vault");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Whether {@code patient} carries {@code flag}. */
  public boolean has(Pseudonym patient, String flag) {
    Instant now = clock.instant();
    if (loaded.equals(Instant.MIN) || Duration.between(loaded, now).abs().compareTo(RELOAD) > 0) reload(now, false);
    Set<ByteBuffer> current = tokens;
    return !current.isEmpty() && current.contains(ByteBuffer.wrap(token(flag, patient)));
  }

  /**
   * Flags {@code patient} (whose reference, e.g. {@code Patient/123}, is sealed for listing); false
   * if it already carried the flag.
   */
  public boolean add(String flag, Pseudonym patient, String reference, String note, String setBy) {
    requireFlag(flag);
    byte[] token = token(flag, patient);
    byte[] sealed = vault.sealDetail(null, context(token),
        Canonical.builder().text(flag).text(reference).text(note == null ? "" : note).encode());
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "insert into watch_flag (token, sealed, set_by, set_at) values (?, ?, ?, ?) on conflict (token) do nothing")) {
      ps.setBytes(1, token);
      ps.setBytes(2, sealed);
      ps.setString(3, setBy);
      ps.setObject(4, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      boolean added = ps.executeUpdate() == 1;
      reload(clock.instant(), true);
      return added;
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not store a watch flag", e);
    }
  }

  /** Removes a flag; false if the patient did not carry it. */
  public boolean remove(String flag, Pseudonym patient) {
    requireFlag(flag);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("delete from watch_flag where token = ?")) {
      ps.setBytes(1, token(flag, patient));
      boolean removed = ps.executeUpdate() == 1;
      reload(clock.instant(), true);
      return removed;
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not remove a watch flag", e);
    }
  }

  /** Every flag, newest first, with what it is on. */
  public List<Flag> list() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select token, sealed, set_by, set_at from watch_flag order by set_at desc");
        ResultSet rs = ps.executeQuery()) {
      List<Flag> out = new ArrayList<>();
      while (rs.next()) {
        Canonical.Reader r = Canonical.reader(vault.openDetail(null, context(rs.getBytes(1)), rs.getBytes(2)));
        String flag = r.text(), reference = r.text(), note = r.text();
        out.add(new Flag(flag, reference, note, rs.getString(3), rs.getObject(4, OffsetDateTime.class).toInstant()));
      }
      return out;
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not read watch flags", e);
    }
  }

  static void requireFlag(String flag) {
    if (!FLAGS.contains(flag)) throw new WardException.InvalidRequest("unknown flag '" + flag + "' (canary, vip, staff)");
  }

  private byte[] token(String flag, Pseudonym patient) {
    return vault.token("WatchFlag", flag, patient.hex());
  }

  private static byte[] context(byte[] token) {
    return Canonical.builder().text("ward.watch-flag").bytes(token).encode();
  }

  private synchronized void reload(Instant now, boolean force) {
    // Threads that waited here while another reloaded need not read the table again.
    if (!force && !loaded.equals(Instant.MIN) && Duration.between(loaded, now).abs().compareTo(RELOAD) <= 0) return;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select token from watch_flag");
        ResultSet rs = ps.executeQuery()) {
      Set<ByteBuffer> out = new HashSet<>();
      while (rs.next()) out.add(ByteBuffer.wrap(rs.getBytes(1)));
      tokens = Set.copyOf(out);
      loaded = now;
    } catch (SQLException e) {
      throw new WardException.StoreUnavailable("could not read watch flags", e);
    }
  }
}
