package health.ward.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.access.Scopes;
import health.ward.audit.AccessEvent.Outcome;
import health.ward.common.Canonical;
import health.ward.common.WardException;
import health.ward.records.RequestContext;
import health.ward.vault.RecordVault;
import java.security.SecureRandom;
import java.sql.Array;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Staff accounts (table {@code staff_user}): who they are, their role, the practitioner and
 * departments care relationships name them by, their password (Argon2id) and second factors.
 * Accounts are created without a password: {@link #add} returns a one-time enrolment link (valid
 * {@value #ENROLMENT_HOURS} hours) with which the person sets a password and registers a second
 * factor. There are no default passwords. Every change is a ledger entry ({@link AuthEvents}).
 */
public final class StaffDirectory {
  static final int ENROLMENT_HOURS = 24;
  /** Consecutive failed sign-ins that lock an account, and for how long. */
  static final int LOCK_AFTER = 5;
  static final Duration LOCK_FOR = Duration.ofMinutes(15);

  private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern PRACTITIONER = Pattern.compile("Practitioner/[A-Za-z0-9.-]{1,64}");
  private static final Pattern DEPARTMENT = Pattern.compile("(Organization|Location)/[A-Za-z0-9.-]{1,64}");

  private final DataSource dataSource;
  private final AuthEvents events;
  private final ApiTokens tokens;
  private final RecordVault vault;
  private final Clock clock;
  private final SecureRandom random;

  /** A new account's details. */
  public record NewUser(String username, String displayName, Role role, String practitioner, List<String> departments) {
    public NewUser {
      departments = List.copyOf(departments);
    }
  }

  /** What sign-in needs of an account; holds its password hash, so it never leaves this package. */
  record Account(
      long id, String username, String displayName, Role role, String practitioner, List<String> departments,
      byte[] userHandle, String passwordHash, byte[] sealedTotp, long totpLastStep, String status, int failedAttempts,
      Instant lockedUntil, boolean stepUpRequired) {
    /** The account acting outside any session (signing in, enrolling). */
    Principal principal() {
      return new Principal("user:" + id, username, Principal.Kind.USER, role, Scopes.parse(""), practitioner, departments, null);
    }
  }

  public StaffDirectory(
      DataSource dataSource, AuthEvents events, ApiTokens tokens, RecordVault vault, Clock clock, SecureRandom random) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.events = Objects.requireNonNull(events, "events");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.vault = Objects.requireNonNull(vault, "vault");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Creates an account (status pending) and returns its enrolment link's secret.
   *
   * @throws WardException.InvalidRequest for a malformed field or a name already taken
   */
  public Enrolment add(RequestContext by, NewUser u) {
    String username = checkUsername(u.username());
    String display = checkDisplayName(u.displayName());
    if (u.role() == null || !u.role().staff()) {
      throw new WardException.InvalidRequest("a staff account's role is one of physician, nurse, clerk, security-officer, auditor, administrator");
    }
    if (u.practitioner() != null && !PRACTITIONER.matcher(u.practitioner()).matches()) {
      throw new WardException.InvalidRequest("--practitioner is a local reference such as Practitioner/123");
    }
    for (String d : u.departments()) {
      if (!DEPARTMENT.matcher(d).matches()) {
        throw new WardException.InvalidRequest("a department is a local reference to an Organization or Location, e.g. Organization/cardiology; not '" + shorten(d) + "'");
      }
    }
    byte[] handle = new byte[32];
    random.nextBytes(handle);
    Instant now = clock.instant();
    TokenSecret secret = newSecret("enrol_");
    Instant expires = now.plus(Duration.ofHours(ENROLMENT_HOURS));
    inTransaction(c -> {
      long id;
      try (PreparedStatement ps = c.prepareStatement(
          "insert into staff_user (username, display_name, role, practitioner, departments, user_handle, enrolment_hash,"
              + " enrolment_expires, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id")) {
        ps.setString(1, username);
        ps.setString(2, display);
        ps.setString(3, u.role().code());
        ps.setString(4, u.practitioner());
        ps.setArray(5, c.createArrayOf("text", u.departments().toArray()));
        ps.setBytes(6, handle);
        ps.setBytes(7, ApiTokens.sha256(secret.utf8()));
        ps.setObject(8, utc(expires));
        ps.setObject(9, utc(now));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          id = rs.getLong(1);
        }
      }
      events.record(c, by, "user-add", "StaffUser", Long.toString(id), Outcome.ALLOWED, u.role().code());
      return null;
    }, "a user named '" + username + "' already exists");
    return new Enrolment(username, secret, expires);
  }

  /** Every account, by user name. */
  public List<StaffUser> list() {
    return users("true", ps -> {});
  }

  /** One account by name. */
  public Optional<StaffUser> find(String username) {
    return users("username = ?", ps -> ps.setString(1, username)).stream().findFirst();
  }

  private List<StaffUser> users(String where, Binder binder) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select u.id, username, display_name, role, practitioner, departments, status, locked_until, created_at,"
                + " totp_secret is not null, (select count(*) from webauthn_credential w where w.user_id = u.id)"
                + " from staff_user u where " + where + " order by username")) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        return users(rs);
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private List<StaffUser> users(ResultSet rs) throws SQLException {
    List<StaffUser> out = new ArrayList<>();
    while (rs.next()) {
      OffsetDateTime locked = rs.getObject(8, OffsetDateTime.class);
      Instant lockedUntil = locked == null || locked.toInstant().isBefore(clock.instant()) ? null : locked.toInstant();
      out.add(new StaffUser(rs.getLong(1), rs.getString(2), rs.getString(3), Role.of(rs.getString(4)), rs.getString(5),
          departments(rs.getArray(6)), rs.getString(7), lockedUntil, rs.getInt(11), rs.getBoolean(10),
          rs.getObject(9, OffsetDateTime.class).toInstant()));
    }
    return out;
  }

  /** Disables an account and revokes all its sessions, here and in every running Ward. */
  public void disable(RequestContext by, String username) {
    long id = requireId(username);
    inTransaction(c -> {
      update(c, "update staff_user set status = 'disabled' where id = ?", id);
      events.record(c, by, "user-disable", "StaffUser", Long.toString(id), Outcome.ALLOWED, "administrator");
      tokens.revokeUser(c, id, "account disabled");
      return null;
    }, null);
    tokens.invalidateAll();
  }

  /** Enables a disabled account (active again if it finished enrolment) and clears any lock. */
  public void enable(RequestContext by, String username) {
    long id = requireId(username);
    inTransaction(c -> {
      update(c, "update staff_user set status = case when password_hash is null then 'pending' else 'active' end,"
          + " failed_attempts = 0, locked_until = null where id = ?", id);
      events.record(c, by, "user-enable", "StaffUser", Long.toString(id), Outcome.ALLOWED, "administrator");
      return null;
    }, null);
  }

  /**
   * Starts enrolment again (a lost authenticator, a forgotten password): removes the password and
   * every second factor, revokes all sessions, and returns a new one-time link.
   */
  public Enrolment reenrol(RequestContext by, String username) {
    long id = requireId(username);
    TokenSecret secret = newSecret("enrol_");
    Instant expires = clock.instant().plus(Duration.ofHours(ENROLMENT_HOURS));
    inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "update staff_user set status = 'pending', password_hash = null, totp_secret = null, totp_last_step = null,"
              + " failed_attempts = 0, locked_until = null, enrolment_hash = ?, enrolment_expires = ? where id = ?")) {
        ps.setBytes(1, ApiTokens.sha256(secret.utf8()));
        ps.setObject(2, utc(expires));
        ps.setLong(3, id);
        ps.executeUpdate();
      }
      update(c, "delete from webauthn_credential where user_id = ?", id);
      tokens.revokeUser(c, id, "re-enrolment");
      events.record(c, by, "user-reenrol", "StaffUser", Long.toString(id), Outcome.ALLOWED, "administrator");
      return null;
    }, null);
    tokens.invalidateAll();
    return new Enrolment(username, secret, expires);
  }

  // ---- package: sign-in and enrolment ----------------------------------------------------------

  Optional<Account> account(String username) {
    return queryAccount("username = ?", ps -> ps.setString(1, username == null ? "" : username));
  }

  Optional<Account> account(long id) {
    return queryAccount("id = ?", ps -> ps.setLong(1, id));
  }

  Optional<Account> accountByHandle(byte[] handle) {
    return queryAccount("user_handle = ?", ps -> ps.setBytes(1, handle));
  }

  /** The pending account an unexpired enrolment secret belongs to. */
  Optional<Account> enrolling(String secret) {
    if (secret == null || secret.length() > 256) return Optional.empty();
    byte[] hash = ApiTokens.sha256(secret.getBytes(UTF_8));
    return queryAccount("enrolment_hash = ? and enrolment_expires > ? and status = 'pending'", ps -> {
      ps.setBytes(1, hash);
      ps.setObject(2, utc(clock.instant()));
    });
  }

  void setPassword(RequestContext by, long id, String phc) {
    inTransaction(c -> {
      updatePassword(c, id, phc);
      events.record(c, by, "enrol-password", "StaffUser", Long.toString(id), Outcome.ALLOWED, "enrolment");
      return null;
    }, null);
  }

  private static void updatePassword(Connection c, long id, String phc) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("update staff_user set password_hash = ? where id = ?")) {
      ps.setString(1, phc);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
  }

  void setTotp(RequestContext by, long id, byte[] secret) {
    byte[] sealed = vault.sealDetail(null, totpContext(id), secret);
    inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("update staff_user set totp_secret = ?, totp_last_step = null where id = ?")) {
        ps.setBytes(1, sealed);
        ps.setLong(2, id);
        ps.executeUpdate();
      }
      events.record(c, by, "enrol-totp", "StaffUser", Long.toString(id), Outcome.ALLOWED, "enrolment");
      return null;
    }, null);
  }

  byte[] totpSecret(Account a) {
    return vault.openDetail(null, totpContext(a.id()), a.sealedTotp());
  }

  /** Accepts a TOTP step: only if it is later than the last accepted one (no replay, even concurrently). */
  boolean acceptTotpStep(long id, long step) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "update staff_user set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?)")) {
      ps.setLong(1, step);
      ps.setLong(2, id);
      ps.setLong(3, step);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /** Ends enrolment: the account becomes active and its link stops working. */
  void activate(RequestContext by, long id, String factor) {
    inTransaction(c -> {
      update(c, "update staff_user set status = 'active', enrolment_hash = null, enrolment_expires = null where id = ?", id);
      events.record(c, by, "enrol-complete", "StaffUser", Long.toString(id), Outcome.ALLOWED, factor);
      return null;
    }, null);
  }

  /** Counts a failed sign-in; the {@value #LOCK_AFTER}th in a row locks the account for {@link #LOCK_FOR}. */
  void recordFailure(long id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "update staff_user set failed_attempts = failed_attempts + 1,"
                + " locked_until = case when failed_attempts + 1 >= ? then ? else locked_until end where id = ?")) {
      ps.setInt(1, LOCK_AFTER);
      ps.setObject(2, utc(clock.instant().plus(LOCK_FOR)));
      ps.setLong(3, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  void recordSuccess(long id) {
    inTransaction(c -> {
      update(c, "update staff_user set failed_attempts = 0, locked_until = null where id = ?", id);
      return null;
    }, null);
  }

  /** Clears a step-up demand: the account just signed in with a passkey. */
  void steppedUp(long id) {
    inTransaction(c -> {
      update(c, "update staff_user set step_up_required = false where id = ?", id);
      return null;
    }, null);
  }

  /**
   * Ends every session of account {@code id} and, for a step-up, demands a passkey at its next
   * sign-in, or, for a lock, disables it until an administrator enables it. Recorded as done by
   * Ward's watch with the reason. False if there is no such account.
   */
  boolean respond(long id, boolean lock, String reason) {
    RequestContext by = RequestContext.local(Principal.operator("watch"));
    boolean found = inTransaction(c -> {
      int n;
      try (PreparedStatement ps = c.prepareStatement(lock
          ? "update staff_user set status = 'disabled' where id = ?"
          : "update staff_user set step_up_required = true where id = ?")) {
        ps.setLong(1, id);
        n = ps.executeUpdate();
      }
      if (n == 0) return false;
      events.record(c, by, lock ? "user-lock" : "user-step-up", "StaffUser", Long.toString(id), Outcome.ALLOWED, reason);
      tokens.revokeUser(c, id, reason);
      return true;
    }, null);
    tokens.invalidateAll();
    return found;
  }

  void rehash(long id, String phc) {
    inTransaction(c -> {
      updatePassword(c, id, phc);
      return null;
    }, null);
  }

  DataSource dataSource() {
    return dataSource;
  }

  AuthEvents events() {
    return events;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private Optional<Account> queryAccount(String where, Binder binder) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select id, username, display_name, role, practitioner, departments, user_handle, password_hash, totp_secret,"
                + " coalesce(totp_last_step, -1), status, failed_attempts, locked_until, step_up_required from staff_user where "
                + where)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        OffsetDateTime locked = rs.getObject(13, OffsetDateTime.class);
        return Optional.of(new Account(rs.getLong(1), rs.getString(2), rs.getString(3), Role.of(rs.getString(4)),
            rs.getString(5), departments(rs.getArray(6)), rs.getBytes(7), rs.getString(8), rs.getBytes(9), rs.getLong(10),
            rs.getString(11), rs.getInt(12), locked == null ? null : locked.toInstant(), rs.getBoolean(14)));
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  <T> T inTransaction(Work<T> work, String duplicateMessage) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState()) && duplicateMessage != null) throw new WardException.InvalidRequest(duplicateMessage);
      throw unavailable(e);
    }
  }

  private long requireId(String username) {
    return account(checkUsername(username)).map(Account::id)
        .orElseThrow(() -> new WardException.NotFound("no user named '" + username + "'"));
  }

  private static void update(Connection c, String sql, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }

  private TokenSecret newSecret(String prefix) {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    TokenSecret s = new TokenSecret(prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    Arrays.fill(raw, (byte) 0);
    return s;
  }

  private static byte[] totpContext(long id) {
    return Canonical.builder().text("ward.totp-secret").number(id).encode();
  }

  private static List<String> departments(Array a) throws SQLException {
    return a == null ? List.of() : List.of((String[]) a.getArray());
  }

  static String checkUsername(String username) {
    if (username == null || !USERNAME.matcher(username).matches()) {
      throw new WardException.InvalidRequest(
          "a user name is 1-64 characters: lowercase letters, digits, '.', '_', '-', starting with a letter or digit");
    }
    return username;
  }

  private static String checkDisplayName(String name) {
    String n = name == null ? "" : name.strip();
    if (n.isEmpty() || n.length() > 200 || n.chars().anyMatch(Character::isISOControl)) {
      throw new WardException.InvalidRequest("a display name is 1-200 characters of text");
    }
    return n;
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  private static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  private static WardException.StoreUnavailable unavailable(SQLException e) {
    return new WardException.StoreUnavailable("staff directory unavailable (SQLSTATE " + e.getSQLState() + ")", null);
  }
}
