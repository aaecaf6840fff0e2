package health.ward.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded database, Ward's requests run as a role that can append to the ledger but never
 * change, remove or unguard it: not by UPDATE, DELETE or TRUNCATE, nor by disabling the triggers.
 */
class DatabaseRoleTest {
  @TempDir Path dir;

  @Test
  void appRole_appendsToTheLedger_butCannotChangeRemoveOrUnguardIt() throws Exception {
    try (Database db = Database.embedded(dir.resolve("pg"), 2)) {
      sql(db, "insert into ledger_batch values (0, 1, '\\x0000000161'::bytea, decode(repeat('00', 32), 'hex'), now())");
      sql(db, "insert into ledger_checkpoint values (1, 'note', now())");
      for (String change : List.of(
          "update ledger_batch set entries = '\\x00'::bytea",
          "delete from ledger_batch",
          "truncate ledger_batch",
          "update ledger_checkpoint set note = 'x'",
          "delete from ledger_checkpoint",
          "alter table ledger_batch disable trigger all",
          "drop trigger ledger_batch_append_only on ledger_batch",
          "delete from flyway_schema_history")) {
        SQLException e = assertThrows(SQLException.class, () -> sql(db, change), change);
        assertEquals("42501", e.getSQLState(), change + ": " + e.getMessage()); // insufficient_privilege
      }
      try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
          var rs = s.executeQuery("select current_user, count(*) from ledger_batch group by 1")) {
        assertTrue(rs.next());
        assertEquals(Database.APP_ROLE, rs.getString(1));
        assertEquals(1, rs.getInt(2));
      }
      // Records stay fully writable for the app role.
      sql(db, "update resource_current set seq = seq where false");
    }
    // Re-opening an existing cluster keeps the role and its grants.
    try (Database db = Database.embedded(dir.resolve("pg"), 2)) {
      assertThrows(SQLException.class, () -> sql(db, "delete from ledger_batch"));
    }
  }

  static void sql(Database db, String statement) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
