package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Role;
import health.ward.auth.ApiTokens;
import health.ward.common.WardException;
import health.ward.store.Database;
import health.ward.store.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The token commands' work, on a real database (the commands' opening of Ward is WardApp's). */
class TokenCommandTest {
  Database db;
  ApiTokens tokens;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void open() {
    db = TestDatabase.fresh();
    tokens = new ApiTokens(db.dataSource(), Clock.fixed(Instant.parse("2026-03-04T05:06:07.891Z"), ZoneOffset.UTC), new SecureRandom());
  }

  @AfterEach
  void close() {
    tokens.close();
    db.close();
  }

  @Test
  void create_printsTheSecretAloneOnStdout_andItAuthenticates() {
    assertEquals(0, TokenCommand.Create.create(tokens, "etl", Role.INTEGRATION, false, new PrintWriter(out, true), new PrintWriter(err, true)));
    String secret = out.toString().strip();
    assertTrue(secret.matches("ward_[A-Za-z0-9_-]{43}"), secret);
    assertEquals("etl", tokens.authenticate(secret).name());
    assertTrue(err.toString().contains("Authorization: Bearer"), err.toString());
    assertFalse(err.toString().contains(secret), "the hint does not repeat the secret");
  }

  @Test
  void create_quiet_printsOnlyTheSecret() {
    TokenCommand.Create.create(tokens, "ci", Role.INTEGRATION, true, new PrintWriter(out, true), new PrintWriter(err, true));
    assertTrue(out.toString().strip().startsWith("ward_"));
    assertEquals("", err.toString());
  }

  @Test
  void list_showsNamesDatesAndStatus_neverSecrets() {
    TokenCommand.Create.create(tokens, "etl", Role.INTEGRATION, false, new PrintWriter(out, true), new PrintWriter(err, true));
    String secret = out.toString().strip();
    TokenCommand.Create.create(tokens, "dpo", Role.AUDITOR, false, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    TokenCommand.Revoke.revoke(tokens, "etl", new PrintWriter(err, true));

    StringWriter listed = new StringWriter();
    assertEquals(0, TokenCommand.ListTokens.list(tokens, new PrintWriter(listed, true)));

    String text = listed.toString();
    assertTrue(text.contains("etl   integration  2026-03-04T05:06:07Z  revoked 2026-03-04T05:06:07Z"), text);
    assertTrue(text.contains("dpo   auditor      2026-03-04T05:06:07Z  active"), text);
    assertFalse(text.contains(secret));
  }

  @Test
  void revoke_unknown_isNotFound_exit4() {
    var e = assertThrows(WardException.NotFound.class, () -> TokenCommand.Revoke.revoke(tokens, "nobody", new PrintWriter(err, true)));
    assertEquals(4, ExitCodes.of(e));
  }
}
