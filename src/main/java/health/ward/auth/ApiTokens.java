package health.ward.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.zaxxer.hikari.HikariDataSource;
import health.ward.access.Principal;
import health.ward.access.Revocation;
import health.ward.access.Role;
import health.ward.access.Scopes;
import health.ward.audit.AccessEvent;
import health.ward.records.RequestContext;
import health.ward.common.WardException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens: bearer secrets of the form {@code ward_} + base64url(32 random bytes), stored only as
 * their SHA-256 (table {@code api_token}), so a copy of the database authenticates nobody.
 *
 * <p><b>Hot path.</b> {@link #authenticate} answers valid tokens from memory. The cache is used
 * only while a listener connection is subscribed to the PostgreSQL channel {@value #CHANNEL}, on
 * which every {@link #revoke} (from this or any other process, e.g. {@code ward token revoke}) sends
 * a notification in the same transaction. A notification empties the cache. If the listener
 * connection fails, the cache is emptied and bypassed (every request goes to the database) until
 * the listener is subscribed again: fail closed. The listener probes its connection every
 * {@code HEARTBEAT} with a network timeout, so a silently dead connection is noticed within seconds.
 *
 * <p><b>When a revocation takes effect.</b> Made through this instance: before {@code revoke}
 * returns. Made by another process: when PostgreSQL delivers the notification to this process's
 * listener, asynchronously after the revoking transaction commits (well under a millisecond on one
 * host; the tests allow for a loaded machine). A request authenticated inside that window is not
 * recalled.
 *
 * <p>The listener starts with the first {@code authenticate} call, so commands that only create,
 * revoke or list tokens never hold a connection; {@link #close()} stops it (call it before closing
 * the connection pool).
 *
 * <p>Every rejection, whatever its cause, is the same {@link WardException.Unauthenticated} with
 * the message {@value #REJECTED}. Secrets are compared as hashes in constant time and never
 * logged.
 */
public final class ApiTokens implements Authenticator, Revocation, AutoCloseable {
  /** PostgreSQL notification channel for revocations; the payload is the token id. */
  static final String CHANNEL = "ward_token_revoked";

  static final String REJECTED = "missing, unknown or revoked token";
  static final String PREFIX = "ward_";
  private static final int SECRET_BYTES = 32;
  // A real token is 48 characters; anything much longer is not worth hashing.
  private static final int MAX_PRESENTED_LENGTH = 256;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}");
  private static final Duration HEARTBEAT = Duration.ofMillis(500);
  private static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration RECONNECT_DELAY = Duration.ofMillis(500);

  private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);

  /** How often a token's last use is written back (the idle timeout is this precise). */
  private static final Duration TOUCH_EVERY = Duration.ofSeconds(30);

  private final DataSource dataSource;
  private final Clock clock;
  private final SecureRandom random;
  private final AuthEvents events;

  private final ConcurrentHashMap<ByteBuffer, CachedToken> cache = new ConcurrentHashMap<>();
  // Bumped on every invalidation; a lookup that raced with one does not leave its result cached.
  private final AtomicLong generation = new AtomicLong();
  private volatile boolean listening;
  private volatile boolean closed;
  private volatile Thread listener;

  /** A valid token as cached: when it dies, and when it was last used (and written back). */
  private static final class CachedToken {
    final byte[] hash;
    final long id;
    final Principal principal;
    final Instant expires;
    final Duration idle;
    volatile Instant lastUsed;
    volatile Instant written;

    CachedToken(byte[] hash, long id, Principal principal, Instant expires, Duration idle, Instant lastUsed) {
      this.hash = hash;
      this.id = id;
      this.principal = principal;
      this.expires = expires;
      this.idle = idle;
      this.lastUsed = lastUsed;
      this.written = lastUsed;
    }

    boolean alive(Instant now) {
      return (expires == null || now.isBefore(expires)) && (idle == null || lastUsed == null || now.isBefore(lastUsed.plus(idle)));
    }
  }

  /**
   * Tokens whose issue and revocation are not recorded in the ledger: for tests and tools that run
   * without one. Ward itself uses {@link #ApiTokens(DataSource, Clock, SecureRandom, AuthEvents)}.
   */
  public ApiTokens(DataSource dataSource, Clock clock, SecureRandom random) {
    this(dataSource, clock, random, null);
  }

  /** Tokens whose issue and revocation are ledger entries. */
  public ApiTokens(DataSource dataSource, Clock clock, SecureRandom random, AuthEvents events) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.events = events;
  }

  /** What to issue: a staff session, a client-credentials token or a long-lived integration token. */
  public record Issue(
      String name, Role role, Scopes scopes, Long userId, Long clientId, Duration lifetime, Duration idle, String address) {
    public Issue {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(scopes, "scopes");
    }
  }

  /**
   * Creates a token and returns its secret, which is not stored and cannot be shown again.
   *
   * @throws WardException.InvalidRequest if the name is malformed or an active token has it
   */
  public IssuedToken create(String name) {
    return create(name, Role.INTEGRATION);
  }

  /**
   * Creates a token with a role (integration or auditor) and returns its secret, which is not
   * stored and cannot be shown again.
   *
   * @throws WardException.InvalidRequest if the name is malformed, an active token has it, or the
   *     role is not one a token may have
   */
  public IssuedToken create(String name, Role role) {
    return create(name, role, Scopes.parse("system/*.cruds"), null);
  }

  /**
   * Creates a long-lived integration or auditor token with {@code scopes} (system context), dying
   * after {@code lifetime} if given, on behalf of the local operator.
   */
  public IssuedToken create(String name, Role role, Scopes scopes, Duration lifetime) {
    checkName(name);
    if (role != Role.INTEGRATION && role != Role.AUDITOR) {
      throw new WardException.InvalidRequest("a token's role is integration or auditor, not " + role.code());
    }
    return issue(RequestContext.local(Principal.operator("token")), new Issue(name, role, scopes, null, null, lifetime, null, null));
  }

  /**
   * Issues a token: one row of {@code api_token}, its issue a ledger entry in the same transaction
   * (or, in the serving process, durable before the row commits). Returns its secret, once.
   */
  public IssuedToken issue(RequestContext by, Issue spec) {
    byte[] raw = new byte[SECRET_BYTES];
    random.nextBytes(raw);
    TokenSecret secret =
        new TokenSecret(PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    Arrays.fill(raw, (byte) 0);
    byte[] hash = sha256(secret.utf8());
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
            c.prepareStatement(
                "insert into api_token (name, secret_hash, created_at, role, scopes, user_id, client_id, expires_at,"
                    + " idle_seconds, last_used_at, address) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id")) {
        ps.setString(1, spec.name());
        ps.setBytes(2, hash);
        ps.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
        ps.setString(4, spec.role().code());
        ps.setString(5, spec.scopes().toString());
        ps.setObject(6, spec.userId());
        ps.setObject(7, spec.clientId());
        ps.setObject(8, spec.lifetime() == null ? null : OffsetDateTime.ofInstant(now.plus(spec.lifetime()), ZoneOffset.UTC));
        ps.setObject(9, spec.idle() == null ? null : (int) spec.idle().toSeconds());
        ps.setObject(10, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
        ps.setString(11, spec.address());
        long id;
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          id = rs.getLong(1);
        }
        if (events != null) {
          events.record(c, by, "token-issue", "Session", Long.toString(id), AccessEvent.Outcome.ALLOWED, spec.role().code());
        }
        c.commit();
        return new IssuedToken(String.valueOf(id), spec.name(), secret, now);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        throw new WardException.InvalidRequest(
            "an active token named '" + spec.name() + "' already exists; revoke it or choose another name");
      }
      throw unavailable(e);
    }
  }

  /**
   * Revokes the active token with this name, here and (through a notification) in every running
   * Ward process.
   *
   * @throws WardException.NotFound if no active token has this name
   */
  public void revoke(String name) {
    Objects.requireNonNull(name, "name");
    if (!revokeOne(RequestContext.local(Principal.operator("token")),
        "name = ? and user_id is null and client_id is null", name, "revoked by the operator", "operator")) {
      throw new WardException.NotFound("no active token named '" + name + "'");
    }
  }

  /**
   * Revokes one token by id (a session: by logout, an administrator or a detector), here at once
   * and in every running Ward by notification; the revocation and its reason are a ledger entry.
   *
   * @return false if it was not active
   */
  public boolean revokeSession(RequestContext by, long id, String reason) {
    return revokeOne(by, "id = ?", id, reason, reason);
  }

  /**
   * Revokes the one active token {@code where} selects, recording it (rule {@code rule}) in the
   * same transaction and notifying every running Ward; false if none was active.
   */
  private boolean revokeOne(RequestContext by, String where, Object key, String reason, String rule) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Long id = null;
        try (PreparedStatement ps = c.prepareStatement(
            "update api_token set revoked_at = ?, revoked_reason = ? where " + where + " and revoked_at is null returning id")) {
          ps.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
          ps.setString(2, reason);
          ps.setObject(3, key);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) id = rs.getLong(1);
          }
        }
        if (id != null) {
          if (events != null) {
            events.record(c, by, "token-revoke", "Session", Long.toString(id), AccessEvent.Outcome.ALLOWED, rule);
          }
          notifyRevoked(c, id);
        }
        c.commit();
        return id != null;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        invalidateAll();
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /**
   * Revokes the credential a request came with, named as accesses name it ({@code session:42},
   * {@code token:7}), on behalf of {@code by}; false if it was not active.
   */
  public boolean revoke(RequestContext by, String session, String reason) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:session|token):([0-9]{1,18})").matcher(session == null ? "" : session);
    if (!m.matches()) throw new IllegalArgumentException("not a session or token: " + session);
    return revokeSession(by, Long.parseLong(m.group(1)), reason);
  }

  /** {@inheritDoc} Recorded as done by Ward itself ({@code operator:watch}), with the reason. */
  @Override
  public boolean revoke(String session, String reason) {
    return revoke(RequestContext.local(Principal.operator("watch")), session, reason);
  }

  /** Revokes every active session of a user inside {@code c}'s transaction (the caller records why). */
  void revokeUser(Connection c, long userId, String reason) throws SQLException {
    revokeEvery(c, "user_id", userId, reason);
  }

  /** Revokes every active token of an OAuth client inside {@code c}'s transaction (the caller records why). */
  void revokeClient(Connection c, long clientId, String reason) throws SQLException {
    revokeEvery(c, "client_id", clientId, reason);
  }

  private void revokeEvery(Connection c, String ownerColumn, long owner, String reason) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "update api_token set revoked_at = ?, revoked_reason = ? where " + ownerColumn + " = ? and revoked_at is null")) {
      ps.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      ps.setString(2, reason);
      ps.setLong(3, owner);
      ps.executeUpdate();
    }
    notifyRevoked(c, ownerColumn + ":" + owner);
  }

  /** Tells every running Ward, when {@code c} commits, to forget cached tokens. */
  private static void notifyRevoked(Connection c, Object what) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
      ps.setString(1, CHANNEL);
      ps.setString(2, String.valueOf(what));
      ps.execute();
    }
  }

  /** An active session or token as an administrator sees it. */
  public record ActiveToken(long id, String name, Role role, String scopes, Long userId, Long clientId, Instant created,
      Instant expires, Instant lastUsed, String address) {}

  /** Active tokens and sessions, newest first (optionally of one user). */
  public List<ActiveToken> active(Long userId) {
    String sql = "select id, name, role, scopes, user_id, client_id, created_at, expires_at, last_used_at, address from api_token"
        + " where revoked_at is null and (expires_at is null or expires_at > ?)" + (userId == null ? "" : " and user_id = ?")
        + " order by id desc limit 10000";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      if (userId != null) ps.setLong(2, userId);
      List<ActiveToken> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ActiveToken(rs.getLong(1), rs.getString(2), Role.of(rs.getString(3)), rs.getString(4),
              (Long) rs.getObject(5), (Long) rs.getObject(6), instant(rs, 7), instant(rs, 8), instant(rs, 9), rs.getString(10)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private static Instant instant(ResultSet rs, int col) throws SQLException {
    OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** Every token, active and revoked, oldest first; names and dates only. */
  public List<TokenInfo> list() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select id, name, created_at, revoked_at, role from api_token where user_id is null and client_id is null"
                    + " order by created_at, id");
        ResultSet rs = ps.executeQuery()) {
      List<TokenInfo> out = new ArrayList<>();
      while (rs.next()) {
        OffsetDateTime revoked = rs.getObject(4, OffsetDateTime.class);
        out.add(
            new TokenInfo(
                String.valueOf(rs.getLong(1)),
                rs.getString(2),
                rs.getObject(3, OffsetDateTime.class).toInstant(),
                revoked == null ? null : revoked.toInstant(),
                Role.of(rs.getString(5))));
      }
      return List.copyOf(out);
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public Principal authenticate(String bearerToken) {
    if (bearerToken == null
        || bearerToken.isEmpty()
        || bearerToken.length() > MAX_PRESENTED_LENGTH) {
      throw rejected();
    }
    startListening();
    byte[] hash = sha256(bearerToken.getBytes(UTF_8));
    ByteBuffer key = ByteBuffer.wrap(hash);
    Instant now = clock.instant();
    if (listening) {
      CachedToken hit = cache.get(key);
      if (hit != null && MessageDigest.isEqual(hit.hash, hash)) return use(hit, key, now);
    }
    long seen = generation.get();
    CachedToken found = lookUp(hash);
    if (listening) {
      cache.put(key, found);
      // An invalidation between the lookup and the put must not leave a stale entry behind.
      if (generation.get() != seen || !listening) cache.remove(key);
    }
    return use(found, key, now);
  }

  /** Checks lifetime and idle timeout, then notes the use (written back every {@link #TOUCH_EVERY}). */
  private Principal use(CachedToken t, ByteBuffer key, Instant now) {
    if (!t.alive(now)) {
      cache.remove(key);
      throw rejected();
    }
    t.lastUsed = now;
    if (t.idle != null && Duration.between(t.written, now).compareTo(TOUCH_EVERY) >= 0) {
      t.written = now;
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps = c.prepareStatement("update api_token set last_used_at = ? where id = ?")) {
        ps.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
        ps.setLong(2, t.id);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw unavailable(e);
      }
    }
    return t.principal;
  }

  /** True while revocations arrive by notification and valid tokens are served from memory. */
  boolean cacheActive() {
    return listening;
  }

  private CachedToken lookUp(byte[] hash) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select t.id, t.name, t.secret_hash, t.role, t.scopes, t.user_id, t.expires_at, t.idle_seconds, t.last_used_at,"
                    + " u.username, u.practitioner, u.departments, u.status"
                    + " from api_token t left join staff_user u on u.id = t.user_id"
                    + " where t.secret_hash = ? and t.revoked_at is null")) {
      ps.setBytes(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || !MessageDigest.isEqual(rs.getBytes(3), hash)) throw rejected();
        long id = rs.getLong(1);
        Role role = Role.of(rs.getString(4));
        Scopes scopes = Scopes.parse(rs.getString(5));
        Object userId = rs.getObject(6);
        Principal principal;
        if (userId == null) {
          principal = new Principal(String.valueOf(id), rs.getString(2), Principal.Kind.API_TOKEN, role, scopes, null, List.of(), null);
        } else {
          if (!"active".equals(rs.getString(13))) throw rejected();
          java.sql.Array deps = rs.getArray(12);
          principal = new Principal("user:" + userId, rs.getString(10), Principal.Kind.USER, role, scopes, rs.getString(11),
              deps == null ? List.of() : List.of((String[]) deps.getArray()), "session:" + id);
        }
        Object idle = rs.getObject(8);
        return new CachedToken(hash, id, principal, instant(rs, 7), idle == null ? null : Duration.ofSeconds(((Number) idle).longValue()),
            instant(rs, 9));
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  void invalidateAll() {
    generation.incrementAndGet();
    cache.clear();
  }

  private void startListening() {
    if (listener != null) return;
    synchronized (this) {
      if (listener != null || closed) return;
      listener = Thread.ofPlatform().daemon().name("ward-token-revocations").start(this::listen);
    }
  }

  private void listen() {
    boolean warned = false;
    while (!closed) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        c.setNetworkTimeout(Runnable::run, (int) NETWORK_TIMEOUT.toMillis());
        PGConnection pg = c.unwrap(PGConnection.class);
        try {
          try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
          }
          // Revocations made while nobody listened are not replayed: start from an empty cache.
          invalidateAll();
          listening = true;
          if (warned) LOG.info("token revocation listener is back; valid tokens are cached again");
          warned = false;
          while (!closed) {
            PGNotification[] received = pg.getNotifications((int) HEARTBEAT.toMillis());
            if (received != null && received.length > 0) {
              invalidateAll();
            } else {
              // A dead connection delivers no notifications and no error: probe it.
              try (Statement s = c.createStatement()) {
                s.execute("select 1");
              }
            }
          }
        } finally {
          listening = false;
          invalidateAll();
        }
        // Closing normally: the connection goes back to the pool, without the subscription.
        try (Statement s = c.createStatement()) {
          s.execute("UNLISTEN " + CHANNEL);
        }
      } catch (SQLException | RuntimeException e) {
        if (!warned && !closed) {
          String state = e instanceof SQLException sql ? sql.getSQLState() : e.getClass().getSimpleName();
          String message =
              "token revocation listener lost (SQLSTATE {}); every request is checked against the"
                  + " database until it is back";
          // Class 57P is a database shutting down, as on every clean stop of the embedded one.
          if (state != null && state.startsWith("57P")) LOG.info(message, state);
          else LOG.warn(message, state);
          warned = true;
        }
      } finally {
        listening = false;
        invalidateAll();
      }
      if (poolClosed()) return;
      if (!closed) pause(RECONNECT_DELAY);
    }
  }

  // A closed pool never comes back; stop instead of retrying for the life of the process.
  private boolean poolClosed() {
    return dataSource instanceof HikariDataSource pool && pool.isClosed();
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the revocation listener and returns its connection; authentication then goes to the database. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = listener;
    }
    listening = false;
    invalidateAll();
    if (t != null) {
      t.interrupt();
      try {
        t.join(HEARTBEAT.multipliedBy(4));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new WardException.InvalidRequest(
          "a token name is 1-100 characters: letters, digits, '.', '_', '@', '-', starting with a"
              + " letter or digit");
    }
  }

  static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private static WardException.Unauthenticated rejected() {
    return new WardException.Unauthenticated(REJECTED);
  }

  private static WardException.StoreUnavailable unavailable(SQLException e) {
    // The driver's message may echo parameters (hashes); the SQL state is enough to diagnose.
    return new WardException.StoreUnavailable(
        "token store unavailable (SQLSTATE " + e.getSQLState() + ")", e);
  }
}
