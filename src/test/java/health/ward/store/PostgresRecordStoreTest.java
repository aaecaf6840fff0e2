package health.ward.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import health.ward.common.WardException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PostgresRecordStore} against the contract, plus what only PostgreSQL can show. */
final class PostgresRecordStoreTest extends RecordStoreContractTest {
  private Database db;

  @Override
  RecordStore openEmptyStore() {
    db = TestDatabase.fresh();
    return new PostgresRecordStore(db.dataSource());
  }

  @Override
  void closeStore() {
    db.close();
  }

  @Test
  void currentOfMany_returnsInRequestedOrder_skippingUnknownAndRepeats() {
    store.write(List.of(write("Patient", "a", 1, ALICE, "a"), write("Patient", "b", 1, ALICE, "b"),
        write("Patient", "c", 1, ALICE, "c")));
    store.write(List.of(delete("Patient", "b", 2, ALICE)));
    var many = ((PostgresRecordStore) store).current("Patient", List.of("c", "zz", "b", "a", "c"));
    assertEquals(List.of("c", "b", "a"), ids(many));
    assertEquals(2, many.get(1).version());
    assertEquals(List.of(), ((PostgresRecordStore) store).current("Patient", List.of()));
  }

  @Test
  void databaseFailure_isStoreUnavailable_withoutData() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("alter table resource_version rename to resource_version_gone");
    }
    var e = assertThrows(WardException.StoreUnavailable.class,
        () -> store.write(List.of(write("Patient", "secret-id", 1, ALICE, "x", "t:a"))));
    assertEquals(false, e.getMessage().contains("secret-id"), e.getMessage());
    assertThrows(WardException.StoreUnavailable.class, () -> store.current("Patient", "p1"));
  }
}
