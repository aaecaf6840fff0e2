package health.ward.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.zaxxer.hikari.HikariDataSource;
import health.ward.access.Principal;
import health.ward.access.Role;
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
public final class ApiTokens implements Authenticator, AutoCloseable {
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

  private final DataSource dataSource;
  private final Clock clock;
  private final SecureRandom random;

  private final ConcurrentHashMap<ByteBuffer, CachedToken> cache = new ConcurrentHashMap<>();
  // Bumped on every invalidation; a lookup that raced with one does not leave its result cached.
  private final AtomicLong generation = new AtomicLong();
  private volatile boolean listening;
  private volatile boolean closed;
  private volatile Thread listener;

  private record CachedToken(byte[] hash, Principal principal) {}

  public ApiTokens(DataSource dataSource, Clock clock, SecureRandom random) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
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
    checkName(name);
    if (role != Role.INTEGRATION && role != Role.AUDITOR) {
      throw new WardException.InvalidRequest("a token's role is integration or auditor, not " + role.code());
    }
    byte[] raw = new byte[SECRET_BYTES];
    random.nextBytes(raw);
    TokenSecret secret =
        new TokenSecret(PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    Arrays.fill(raw, (byte) 0);
    byte[] hash = sha256(secret.utf8());
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into api_token (name, secret_hash, created_at, role) values (?, ?, ?, ?) returning id")) {
      ps.setString(1, name);
      ps.setBytes(2, hash);
      ps.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
      ps.setString(4, role.code());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new IssuedToken(String.valueOf(rs.getLong(1)), name, secret, now);
      }
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        throw new WardException.InvalidRequest(
            "an active token named '" + name + "' already exists; revoke it or choose another name");
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
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long id;
        try (PreparedStatement ps =
            c.prepareStatement(
                "update api_token set revoked_at = ? where name = ? and revoked_at is null returning id")) {
          ps.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
          ps.setString(2, name);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new WardException.NotFound("no active token named '" + name + "'");
            id = rs.getLong(1);
          }
        }
        try (PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
          ps.setString(1, CHANNEL);
          ps.setString(2, String.valueOf(id));
          ps.execute();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable(e);
    } finally {
      invalidateAll();
    }
  }

  /** Every token, active and revoked, oldest first; names and dates only. */
  public List<TokenInfo> list() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select id, name, created_at, revoked_at, role from api_token order by created_at, id");
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
    if (listening) {
      CachedToken hit = cache.get(key);
      if (hit != null && MessageDigest.isEqual(hit.hash(), hash)) return hit.principal();
    }
    long seen = generation.get();
    Principal principal = lookUp(hash);
    if (listening) {
      cache.put(key, new CachedToken(hash, principal));
      // An invalidation between the lookup and the put must not leave a stale entry behind.
      if (generation.get() != seen || !listening) cache.remove(key);
    }
    return principal;
  }

  /** True while revocations arrive by notification and valid tokens are served from memory. */
  boolean cacheActive() {
    return listening;
  }

  private Principal lookUp(byte[] hash) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select id, name, secret_hash, role from api_token where secret_hash = ? and revoked_at is null")) {
      ps.setBytes(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || !MessageDigest.isEqual(rs.getBytes(3), hash)) throw rejected();
        return new Principal(String.valueOf(rs.getLong(1)), rs.getString(2), Principal.Kind.API_TOKEN, Role.of(rs.getString(4)));
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private void invalidateAll() {
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
