package health.ward.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import health.ward.access.Role;
import health.ward.access.Scopes;
import health.ward.audit.AccessEvent.Outcome;
import health.ward.common.WardException;
import health.ward.records.RequestContext;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * System integrations registered for the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), as
 * SMART backend services use it: a client authenticates with its id and secret and receives a
 * short-lived opaque bearer token carrying the {@code system/} scopes it asked for, within those it
 * was registered with. Tokens are rows of {@code api_token} like every other, so they are revoked
 * the same way; disabling a client revokes them all. Secrets are 32 random bytes, stored as their
 * SHA-256 (a slow hash adds nothing to a secret of that entropy).
 */
public final class Clients {
  /** How long a client-credentials token lives. */
  public static final Duration TOKEN_LIFETIME = Duration.ofMinutes(15);

  private final DataSource dataSource;
  private final ApiTokens tokens;
  private final AuthEvents events;
  private final Clock clock;
  private final SecureRandom random;

  /** A registered client: its secret is shown once. */
  public record Registered(String clientId, TokenSecret secret, Scopes scopes) {}

  /** A token as the token endpoint answers it. */
  public record AccessToken(TokenSecret token, Duration expiresIn, Scopes scopes) {}

  /** A client as it may be listed. */
  public record ClientInfo(String clientId, String scopes, java.time.Instant created, boolean disabled) {}

  public Clients(DataSource dataSource, ApiTokens tokens, AuthEvents events, Clock clock, SecureRandom random) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.events = Objects.requireNonNull(events, "events");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Registers a client with {@code system/} scopes; InvalidRequest for a bad name or scope. */
  public Registered register(RequestContext by, String name, String scopeText) {
    Scopes scopes;
    try {
      scopes = Scopes.parse(scopeText).onlyContext("system");
    } catch (IllegalArgumentException e) {
      throw new WardException.InvalidRequest(e.getMessage());
    }
    if (scopes.isEmpty()) throw new WardException.InvalidRequest("a client needs at least one system/ scope, e.g. system/Observation.rs");
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")) {
      throw new WardException.InvalidRequest("a client name is 1-100 characters: letters, digits, '.', '_', '@', '-'");
    }
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    TokenSecret secret = new TokenSecret("wardcs_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    Arrays.fill(raw, (byte) 0);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          "insert into api_client (name, secret_hash, scopes, created_at) values (?, ?, ?, ?) returning id")) {
        ps.setString(1, name);
        ps.setBytes(2, ApiTokens.sha256(secret.utf8()));
        ps.setString(3, scopes.toString());
        ps.setObject(4, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        long id;
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          id = rs.getLong(1);
        }
        events.record(c, by, "client-register", "Client", Long.toString(id), Outcome.ALLOWED, scopes.toString());
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) throw new WardException.InvalidRequest("a client named '" + name + "' already exists");
      throw unavailable(e);
    }
    return new Registered(name, secret, scopes);
  }

  /**
   * Disables the client that holds token {@code tokenId}, if any, and revokes its tokens; recorded
   * as done by Ward's watch with the reason. False if the token belongs to no active client.
   */
  boolean disableHolderOf(long tokenId, String reason) {
    return disable(RequestContext.local(health.ward.access.Principal.operator("watch")),
        "id = (select client_id from api_token where id = ?)", ps -> ps.setLong(2, tokenId), reason);
  }

  /** Disables a client and revokes every token it holds. */
  public void disable(RequestContext by, String name) {
    if (!disable(by, "name = ?", ps -> ps.setString(2, name), "administrator")) {
      throw new WardException.NotFound("no active client named '" + name + "'");
    }
  }

  private interface Selector {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Disables the active client {@code where} selects (its parameter is the second), in one transaction with its tokens' revocation and the ledger entry; false if none. */
  private boolean disable(RequestContext by, String where, Selector selector, String rule) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long id;
        try (PreparedStatement ps = c.prepareStatement(
            "update api_client set disabled_at = ? where " + where + " and disabled_at is null returning id")) {
          ps.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
          selector.bind(ps);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              c.rollback();
              return false;
            }
            id = rs.getLong(1);
          }
        }
        tokens.revokeClient(c, id, rule.equals("administrator") ? "client disabled" : rule);
        events.record(c, by, "client-disable", "Client", Long.toString(id), Outcome.ALLOWED, rule);
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable(e);
    } finally {
      tokens.invalidateAll();
    }
  }


  public List<ClientInfo> list() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select name, scopes, created_at, disabled_at from api_client order by name");
        ResultSet rs = ps.executeQuery()) {
      List<ClientInfo> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new ClientInfo(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
            rs.getObject(4) != null));
      }
      return out;
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /**
   * The client-credentials grant: a token with the requested {@code system/} scopes (all the
   * client's when none are asked for), narrowed to those it was registered with. Every failure is
   * the same Unauthenticated; issue and failure are ledger entries.
   */
  public AccessToken token(String clientId, String clientSecret, String scope, String address, String userAgent) {
    if (clientId == null || clientSecret == null || clientSecret.length() > 256 || clientId.length() > 100) throw rejected();
    byte[] presented = ApiTokens.sha256(clientSecret.getBytes(UTF_8));
    long id;
    Scopes registered;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select id, secret_hash, scopes from api_client where name = ? and disabled_at is null")) {
      ps.setString(1, clientId);
      try (ResultSet rs = ps.executeQuery()) {
        // Compare even when the client is unknown, so timing does not tell which clients exist.
        boolean known = rs.next();
        byte[] stored = known ? rs.getBytes(2) : new byte[32];
        if (!MessageDigest.isEqual(stored, presented) || !known) {
          events.recordAnonymous(address, userAgent, "token-issue", "Client", Outcome.DENIED, "bad-client-credentials");
          throw rejected();
        }
        id = rs.getLong(1);
        registered = Scopes.parse(rs.getString(3));
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
    Scopes granted;
    try {
      granted = scope == null || scope.isBlank() ? registered : Scopes.parse(scope).onlyContext("system").within(registered);
    } catch (IllegalArgumentException e) {
      throw new WardException.InvalidRequest(e.getMessage());
    }
    if (granted.isEmpty()) throw new WardException.Forbidden("none of the requested scopes is granted to this client");
    health.ward.access.Principal client = new health.ward.access.Principal(
        "client:" + id, clientId, health.ward.access.Principal.Kind.API_TOKEN, Role.INTEGRATION, granted, null, List.of(), null);
    RequestContext ctx = new RequestContext(client, address, userAgent, null, "TREAT");
    IssuedToken t = tokens.issue(ctx, new ApiTokens.Issue(clientId, Role.INTEGRATION, granted, null, id, TOKEN_LIFETIME, null,
        address));
    return new AccessToken(t.secret(), TOKEN_LIFETIME, granted);
  }

  private static WardException.Unauthenticated rejected() {
    return new WardException.Unauthenticated("invalid_client");
  }

  private static WardException.StoreUnavailable unavailable(SQLException e) {
    return new WardException.StoreUnavailable("client store unavailable (SQLSTATE " + e.getSQLState() + ")", null);
  }
}
