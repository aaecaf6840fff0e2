package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(Function<WardConfig, WardApp> opener, Map<String, String> env, String... args) {
    Main main =
        new Main(
            opener,
            env,
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
            new SecureRandom(),
            System::nanoTime,
            false,
            stop -> stop.run());
    return new CommandLine(main)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  int run(String... args) {
    return run(
        c -> {
          throw new AssertionError("must not open Ward for: " + String.join(" ", args));
        },
        Map.of(),
        args);
  }

  @Test
  void noCommand_isUsageError() {
    assertEquals(2, run());
    assertTrue(err.toString().contains("a command is required"), err.toString());
  }

  @Test
  void unknownCommandOrOption_isUsageError() {
    assertEquals(2, run("frobnicate"));
    assertEquals(2, run("token", "list", "--bogus"));
    assertNoStackTrace();
  }

  @Test
  void tokenCreate_withoutName_isUsageError() {
    assertEquals(2, run("token", "create"));
    assertTrue(err.toString().contains("--name"), err.toString());
  }

  @Test
  void token_withoutSubcommand_isUsageError() {
    assertEquals(2, run("token"));
    assertEquals(2, run("keys"));
  }

  @Test
  void serve_inconsistentTlsFlags_areUsageErrors() {
    assertEquals(2, run("serve", "--tls-cert", "c.pem"));
    assertEquals(2, run("serve", "--tls-key", "k.pem"));
    assertEquals(2, run("serve", "--plain-http", "--tls-cert", "c.pem", "--tls-key", "k.pem"));
    assertEquals(2, run("serve", "--port", "70000"));
    assertEquals(2, run("serve", "--max-body", "12q"));
    assertEquals(2, run("serve", "--port", "abc"));
    assertNoStackTrace();
  }

  @Test
  void serve_badWatchOptions_areUsageErrors_beforeOpeningWard() {
    assertEquals(2, run("serve", "--watch-response", "moon-detector=alert"));
    assertTrue(err.toString().contains("unknown detector 'moon-detector'"), err.toString());
    assertEquals(2, run("serve", "--watch-response", "bulk-access=explode"));
    assertTrue(err.toString().contains("unknown response 'explode'"), err.toString());
    assertEquals(2, run("serve", "--watch-response", "bulk-access"));
    assertEquals(2, run("serve", "--alert-syslog", "http://siem.example:514"));
    assertEquals(2, run("serve", "--alert-syslog", "udp://siem.example"));
    assertEquals(2, run("serve", "--alert-webhook", "ftp://tickets.example/x"));
    assertEquals(2, run("serve", "--alert-webhook", "https://tickets.example/x", "--alert-webhook-secret", "/nonexistent/secret"));
    assertEquals(2, run("serve", "--time-zone", "Mars/Olympus_Mons"));
    assertNoStackTrace();
  }

  @Test
  void import_withoutPaths_orWithMissingPath_isUsageError_beforeOpeningWard() {
    assertEquals(2, run("import"));
    assertEquals(2, run("import", "/nonexistent/ward/bundles"));
    assertTrue(err.toString().contains("no such file or directory: /nonexistent/ward/bundles"), err.toString());
    assertEquals(2, run("import", "--workers", "0", "."));
    assertNoStackTrace();
  }

  @Test
  void importAndKeyRotation_refuseWhileServeRunsOnTheDataDirectory(@TempDir Path tmp) throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data/pg"));
    Files.writeString(data.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + data + "\n0\n54321\n/tmp\n127.0.0.1\n");
    Path bundle = Files.writeString(tmp.resolve("b.json"), "{}");

    assertEquals(2, run("import", "--data", tmp.resolve("data").toString(), bundle.toString()));
    assertTrue(err.toString().contains("ward serve is running on " + tmp.resolve("data")), err.toString());
    assertEquals(2, run("keys", "rotate", "--data", tmp.resolve("data").toString()));
    assertTrue(err.toString().contains("stop it before rotating keys"), err.toString());
  }

  @Test
  void help_andVersion_succeed() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString().contains("Exit codes:"), out.toString());
    assertEquals(0, run("token", "create", "--help"));
    assertEquals(0, run("--version"));
  }

  @Test
  void wardException_becomesMessageAndExitCode_withoutStackTrace() {
    int code =
        run(
            c -> {
              throw new WardException.StoreUnavailable("could not connect to PostgreSQL at jdbc:x", null);
            },
            Map.of(),
            "token", "list");
    assertEquals(6, code);
    assertTrue(err.toString().contains("ward: could not connect to PostgreSQL at jdbc:x [STORE_UNAVAILABLE]"), err.toString());
    assertNoStackTrace();
  }

  @Test
  void config_takesFlagsOverEnvironment_andThePassphraseFromTheEnvironment() {
    AtomicReference<WardConfig> seen = new AtomicReference<>();
    Function<WardConfig, WardApp> capture =
        c -> {
          seen.set(c);
          throw new WardException.KeyUnavailable("stop here");
        };
    Map<String, String> env =
        Map.of(
            "WARD_DB_URL", "jdbc:postgresql://env/ward",
            "WARD_DB_USER", "envuser",
            "WARD_DB_PASSWORD", "envpw",
            "WARD_MASTER_PASSPHRASE", "correct horse");

    assertEquals(6, run(capture, env, "token", "list", "--data", "d", "--keys", "k", "--db-user", "flaguser"));

    WardConfig c = seen.get();
    assertEquals(Path.of("d"), c.dataDir());
    assertEquals(Path.of("k"), c.keysDir());
    assertEquals("jdbc:postgresql://env/ward", c.dbUrl());
    assertEquals("flaguser", c.dbUser());
    assertEquals("envpw", c.dbPassword());
    assertEquals("correct horse", new String(c.passphrase()));
  }

  @Test
  void config_defaults_areEmbeddedDatabaseUnderWardData() {
    AtomicReference<WardConfig> seen = new AtomicReference<>();
    run(
        c -> {
          seen.set(c);
          throw new WardException.KeyUnavailable("stop here");
        },
        Map.of(),
        "token", "list");
    assertEquals(Path.of("ward-data"), seen.get().dataDir());
    assertEquals(Path.of("ward-keys"), seen.get().keysDir());
    assertEquals(null, seen.get().dbUrl());
    assertEquals(null, seen.get().passphrase());
  }

  @Test
  void exitCodes_mapEveryWardExceptionCode() {
    assertEquals(2, ExitCodes.of(new WardException.InvalidRequest("x")));
    assertEquals(2, ExitCodes.of(new WardException.InvalidResource("x")));
    assertEquals(2, ExitCodes.of(new WardException.TooLarge("x")));
    assertEquals(2, ExitCodes.of(new WardException.VersionConflict("x")));
    assertEquals(3, ExitCodes.of(new WardException.Unauthenticated("x")));
    assertEquals(3, ExitCodes.of(new WardException.Forbidden("x")));
    assertEquals(4, ExitCodes.of(new WardException.NotFound("x")));
    assertEquals(4, ExitCodes.of(new WardException.Gone("x")));
    assertEquals(5, ExitCodes.of(new WardException.IntegrityFailure("x")));
    assertEquals(6, ExitCodes.of(new WardException.LedgerUnavailable("x", null)));
    assertEquals(6, ExitCodes.of(new WardException.KeyUnavailable("x")));
    assertEquals(6, ExitCodes.of(new WardException.StoreUnavailable("x", null)));
  }

  @Test
  void parseSize_acceptsBinaryUnits() {
    assertEquals(65_536, ServeCommand.parseSize("65536"));
    assertEquals(512 * 1024, ServeCommand.parseSize("512k"));
    assertEquals(64L << 20, ServeCommand.parseSize("64M"));
    assertEquals(1L << 30, ServeCommand.parseSize("1g"));
    assertEquals(16L << 20, ServeCommand.parseSize("16MiB"));
    assertEquals(16L << 20, ServeCommand.parseSize("16 MB"));
    assertEquals(100, ServeCommand.parseSize("100b"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ServeCommand.parseSize("16 MiBs"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ServeCommand.parseSize("0"));
  }

  void assertNoStackTrace() {
    assertFalse(err.toString().contains("\tat "), "stack trace in: " + err);
  }
}
