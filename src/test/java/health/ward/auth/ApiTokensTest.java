package health.ward.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Principal;
import health.ward.common.WardException;
import health.ward.store.Database;
import health.ward.store.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiTokensTest {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  Database db;
  ApiTokens tokens;

  @BeforeEach
  void open() {
    db = TestDatabase.fresh();
    tokens = new ApiTokens(db.dataSource(), Clock.fixed(T0, ZoneOffset.UTC), new SecureRandom());
  }

  @AfterEach
  void close() {
    tokens.close();
    db.close();
  }

  @Test
  void create_thenAuthenticate_returnsTheTokenPrincipal() {
    IssuedToken issued = tokens.create("etl");
    assertTrue(issued.secret().reveal().startsWith("ward_"));
    assertEquals(48, issued.secret().length());
    assertEquals(T0, issued.createdAt());

    Principal p = tokens.authenticate(issued.secret().reveal());
    assertEquals(new Principal(issued.id(), "etl", Principal.Kind.API_TOKEN, health.ward.access.Role.INTEGRATION,
        health.ward.access.Scopes.parse("system/*.cruds"), null, java.util.List.of(), null), p);
    // Served from memory once the listener is up: still the same answer.
    awaitCache(tokens);
    assertEquals(p, tokens.authenticate(issued.secret().reveal()));
  }

  @Test
  void roles_roundTrip_andDefaultToIntegration() {
    IssuedToken auditor = tokens.create("dpo", health.ward.access.Role.AUDITOR);
    IssuedToken etl = tokens.create("etl");
    assertEquals(health.ward.access.Role.AUDITOR, tokens.authenticate(auditor.secret().reveal()).role());
    assertEquals(health.ward.access.Role.INTEGRATION, tokens.authenticate(etl.secret().reveal()).role());
    awaitCache(tokens);
    assertEquals(health.ward.access.Role.AUDITOR, tokens.authenticate(auditor.secret().reveal()).role(), "cached too");
    assertEquals(java.util.List.of(health.ward.access.Role.AUDITOR, health.ward.access.Role.INTEGRATION),
        tokens.list().stream().map(TokenInfo::role).toList());
    assertThrows(WardException.InvalidRequest.class, () -> tokens.create("op", health.ward.access.Role.OPERATOR));
  }

  @Test
  void authenticate_unknownMissingOrMalformed_failsWithOneMessage() {
    tokens.create("etl");
    for (String bad : new String[] {null, "", "ward_nope", "Bearer x", "x".repeat(10_000)}) {
      var e = assertThrows(WardException.Unauthenticated.class, () -> tokens.authenticate(bad));
      assertEquals("missing, unknown or revoked token", e.getMessage());
    }
  }

  @Test
  void revoke_thenAuthenticate_fails() {
    IssuedToken issued = tokens.create("etl");
    tokens.authenticate(issued.secret().reveal());
    awaitCache(tokens);
    tokens.authenticate(issued.secret().reveal());

    tokens.revoke("etl");

    var e =
        assertThrows(
            WardException.Unauthenticated.class,
            () -> tokens.authenticate(issued.secret().reveal()));
    assertEquals("missing, unknown or revoked token", e.getMessage());
  }

  @Test
  void revoke_fromAnotherInstance_isSeenByTheFirst() throws Exception {
    IssuedToken issued = tokens.create("etl");
    tokens.authenticate(issued.secret().reveal());
    awaitCache(tokens);
    tokens.authenticate(issued.secret().reveal());

    try (ApiTokens otherProcess =
        new ApiTokens(db.dataSource(), Clock.systemUTC(), new SecureRandom())) {
      otherProcess.revoke("etl");
    }

    // The notification is delivered asynchronously (sub-millisecond on one host); allow for a
    // loaded CI machine but not for a polling interval.
    long deadline = System.nanoTime() + 2_000_000_000L;
    int acceptedAfterRevoke = 0;
    while (true) {
      try {
        tokens.authenticate(issued.secret().reveal());
        acceptedAfterRevoke++;
        assertTrue(System.nanoTime() < deadline, "revocation not seen within 2 s");
        Thread.sleep(1);
      } catch (WardException.Unauthenticated expected) {
        break;
      }
    }
    assertTrue(acceptedAfterRevoke <= 50, "accepted " + acceptedAfterRevoke + " times after revoke");
  }

  @Test
  void listenerLost_cacheIsBypassed_andRevocationStillSeen() throws Exception {
    IssuedToken issued = tokens.create("etl");
    tokens.authenticate(issued.secret().reveal());
    awaitCache(tokens);

    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "select pg_terminate_backend(pid) from pg_stat_activity"
              + " where datname = current_database() and pid <> pg_backend_pid()"
              + " and (query ilike 'LISTEN%' or query = 'select 1')");
      // Revoke by hand, with no notification: only a per-request database check can see it.
      s.execute("update api_token set revoked_at = now() where name = 'etl'");
    }
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (true) {
      try {
        tokens.authenticate(issued.secret().reveal());
        assertTrue(System.nanoTime() < deadline, "lost listener not noticed within 2 s");
        Thread.sleep(5);
      } catch (WardException.Unauthenticated expected) {
        break;
      }
    }
  }

  @Test
  void revoke_unknownName_isNotFound() {
    assertThrows(WardException.NotFound.class, () -> tokens.revoke("nobody"));
    tokens.create("etl");
    tokens.revoke("etl");
    assertThrows(WardException.NotFound.class, () -> tokens.revoke("etl"));
  }

  @Test
  void create_duplicateActiveName_isInvalid_butARevokedNameMayBeReused() {
    tokens.create("etl");
    assertThrows(WardException.InvalidRequest.class, () -> tokens.create("etl"));
    tokens.revoke("etl");
    IssuedToken again = tokens.create("etl");
    assertEquals("etl", tokens.authenticate(again.secret().reveal()).name());
  }

  @Test
  void create_badName_isInvalid() {
    for (String bad : new String[] {"", " ", "a b", "-x", "x".repeat(101), "é"}) {
      assertThrows(WardException.InvalidRequest.class, () -> tokens.create(bad), bad);
    }
  }

  @Test
  void list_showsNamesAndDates_activeAndRevoked() {
    tokens.create("a");
    tokens.create("b");
    tokens.revoke("a");
    List<TokenInfo> all = tokens.list();
    assertEquals(List.of("a", "b"), all.stream().map(TokenInfo::name).toList());
    assertFalse(all.get(0).active());
    assertEquals(T0, all.get(0).revokedAt());
    assertTrue(all.get(1).active());
  }

  @Test
  void secret_toString_showsOnlyItsLength() {
    IssuedToken issued = tokens.create("etl");
    String shown = issued.toString();
    assertFalse(shown.contains(issued.secret().reveal()), shown);
    assertTrue(shown.contains("48 chars"), shown);
  }

  @Test
  void storedTable_holdsNoSecret_onlyItsHash() throws Exception {
    IssuedToken issued = tokens.create("etl");
    String secret = issued.secret().reveal();
    byte[] random = Base64.getUrlDecoder().decode(secret.substring("ward_".length()));

    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("checkpoint");
      byte[] file;
      try (ResultSet rs =
          s.executeQuery("select pg_read_binary_file(pg_relation_filepath('api_token'))")) {
        rs.next();
        file = rs.getBytes(1);
      }
      assertNotNull(file);
      assertTrue(contains(file, "etl".getBytes(StandardCharsets.UTF_8)), "scan sees the table");
      assertTrue(contains(file, ApiTokens.sha256(secret.getBytes(StandardCharsets.UTF_8))));
      assertFalse(contains(file, secret.getBytes(StandardCharsets.UTF_8)));
      assertFalse(contains(file, random));

      try (ResultSet rs = s.executeQuery("select t::text from api_token t")) {
        rs.next();
        assertFalse(rs.getString(1).contains(secret));
      }
    }
  }

  static void awaitCache(ApiTokens t) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!t.cacheActive()) {
      assertTrue(System.nanoTime() < deadline, "listener did not subscribe");
      Thread.onSpinWait();
    }
  }

  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = T0;

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void sessions_dieAfterTheIdleTimeout_andAfterTheirLifetime_evenWhenUsed() {
    MovingClock clock = new MovingClock();
    try (ApiTokens t = new ApiTokens(db.dataSource(), clock, new SecureRandom())) {
      java.util.function.Function<String, ApiTokens.Issue> issue = name -> new ApiTokens.Issue(name, health.ward.access.Role.INTEGRATION,
          health.ward.access.Scopes.parse("system/*.rs"), null, null, java.time.Duration.ofHours(1), java.time.Duration.ofMinutes(15), null);
      String idle = t.issue(health.ward.records.RequestContext.local(Principal.operator("t")), issue.apply("idle")).secret().reveal();
      String busy = t.issue(health.ward.records.RequestContext.local(Principal.operator("t")), issue.apply("busy")).secret().reveal();
      t.authenticate(idle);
      for (int minute = 10; minute < 60; minute += 10) {
        clock.now = T0.plus(java.time.Duration.ofMinutes(minute));
        t.authenticate(busy);
      }
      clock.now = T0.plus(java.time.Duration.ofMinutes(50));
      assertThrows(WardException.Unauthenticated.class, () -> t.authenticate(idle), "idle for 50 minutes");
      clock.now = T0.plus(java.time.Duration.ofMinutes(60));
      assertThrows(WardException.Unauthenticated.class, () -> t.authenticate(busy), "used every 10 minutes, still dead at its lifetime");
    }
    // A fresh instance (another process, or after a restart) reads the last use written back.
    MovingClock later = new MovingClock();
    later.now = T0.plus(java.time.Duration.ofMinutes(20));
    try (ApiTokens t = new ApiTokens(db.dataSource(), later, new SecureRandom())) {
      String s = t.issue(health.ward.records.RequestContext.local(Principal.operator("t")), new ApiTokens.Issue("u",
          health.ward.access.Role.INTEGRATION, health.ward.access.Scopes.parse("system/*.rs"), null, null, null,
          java.time.Duration.ofMinutes(15), null)).secret().reveal();
      later.now = later.now.plus(java.time.Duration.ofMinutes(16));
      assertThrows(WardException.Unauthenticated.class, () -> t.authenticate(s));
    }
  }

  @Test
  void revocation_byTheSessionNameAnAccessCarries_killsTheNextRequest() {
    IssuedToken t = tokens.create("etl");
    String secret = t.secret().reveal();
    health.ward.records.RequestContext ctx =
        new health.ward.records.RequestContext(tokens.authenticate(secret), "10.0.0.1", "junit");
    health.ward.access.Revocation revocation = tokens;
    assertTrue(revocation.revoke(ctx.session(), "bulk access"), ctx.session());
    assertThrows(WardException.Unauthenticated.class, () -> tokens.authenticate(secret));
    assertFalse(revocation.revoke(ctx.session(), "again"), "already revoked");
    assertThrows(IllegalArgumentException.class, () -> revocation.revoke("user:7", "not a credential"));
  }
}
