package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ward user} and {@code ward client} from the host: the first administrator gets a one-time
 * link and no password; bad input is a usage error; the changes wait in the ledger outbox until the
 * serving process appends them.
 */
class UserCommandTest {
  static final Map<String, String> ENV = Map.of(Main.PASSPHRASE_ENV, "user test passphrase");
  @TempDir Path tmp;

  @Test
  void firstAdministrator_getsAnEnrolmentLink_andChangesReachTheLedgerThroughTheOutbox() {
    WardRunner ward = new WardRunner(tmp.resolve("data"), tmp.resolve("keys"), ENV);
    var added = ward.run("user", "add", "alice", "--role", "administrator", "--name", "Alice Admin", "--url", "https://ward.example:8443/");
    assertEquals(0, added.code(), added.err());
    assertTrue(added.out().strip().matches("https://ward\\.example:8443/enrol#enrol_[A-Za-z0-9_-]{43}"), added.out());
    assertTrue(added.err().contains("one-time link"), added.err());

    var again = ward.run("user", "add", "alice", "--role", "nurse", "--name", "Other");
    assertEquals(ExitCodes.USAGE, again.code());
    assertTrue(again.err().contains("already exists"), again.err());
    var badRole = ward.run("user", "add", "bob", "--role", "surgeon", "--name", "Bob");
    assertEquals(ExitCodes.USAGE, badRole.code());
    assertTrue(badRole.err().contains("unknown role"), badRole.err());
    var badName = ward.run("user", "add", "Bob Smith", "--role", "nurse", "--name", "Bob");
    assertEquals(ExitCodes.USAGE, badName.code());
    var badDept = ward.run("user", "add", "bob", "--role", "nurse", "--name", "Bob", "--department", "Patient/1");
    assertEquals(ExitCodes.USAGE, badDept.code());
    assertTrue(badDept.err().contains("Organization or Location"), badDept.err());

    var list = ward.run("user", "list");
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().matches("(?s).*alice\\s+administrator\\s+pending.*"), list.out());
    assertEquals(0, ward.run("user", "disable", "alice").code());
    assertTrue(ward.run("user", "list").out().matches("(?s).*alice\\s+administrator\\s+disabled.*"));
    assertEquals(ExitCodes.NOT_FOUND, ward.run("user", "disable", "nobody").code());

    var client = ward.run("client", "add", "etl", "--scope", "system/Observation.rs system/Patient.r");
    assertEquals(0, client.code(), client.err());
    assertTrue(client.out().contains("client_secret=wardcs_"), client.out());
    assertEquals(ExitCodes.USAGE, ward.run("client", "add", "bad", "--scope", "user/Observation.rs").code(), "clients get system scopes");

    try (WardApp app = WardApp.open(WardConfig.defaults(tmp.resolve("data"), tmp.resolve("keys"))
        .withPassphrase(ENV.get(Main.PASSPHRASE_ENV).toCharArray()))) {
      long before = app.parts().ledger().size();
      assertEquals(3, app.drainOutbox(), "user-add, user-disable, client-register");
      assertEquals(before + 3, app.parts().ledger().size());
      assertEquals(0, app.drainOutbox(), "each staged entry is appended once");
    }
  }
}
