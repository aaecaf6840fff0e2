package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import health.ward.ledger.LedgerReader;
import health.ward.ledger.LedgerVerifier;
import health.ward.ledger.Merkle;
import health.ward.ledger.Verification;
import health.ward.store.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database from before the Merkle ledger (schema V5, entries in the V3 hash chain) opens with its
 * entries moved, byte for byte and in order, into the Merkle log; a broken chain is not converted.
 */
class HashChainConversionTest {
  @TempDir Path dir;

  /** A database at schema V5 holding {@code entries} as the old hash chain; returns its URL. */
  static String oldLedger(List<byte[]> entries, int breakAt) throws Exception {
    String url = TestDatabase.freshUrl();
    Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target("5").load().migrate();
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        PreparedStatement ps = c.prepareStatement("insert into ledger_entry values (?, ?, ?, ?, now())")) {
      byte[] chain = new byte[32];
      for (int i = 0; i < entries.size(); i++) {
        byte[] leaf = Merkle.leafHash(entries.get(i));
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update((byte) 1);
        d.update(chain);
        d.update(leaf);
        chain = d.digest();
        ps.setLong(1, i);
        ps.setBytes(2, i == breakAt ? "tampered".getBytes(StandardCharsets.UTF_8) : entries.get(i));
        ps.setBytes(3, leaf);
        ps.setBytes(4, chain);
        ps.executeUpdate();
      }
    }
    return url;
  }

  static List<byte[]> entries(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i < 3 ? formatOne(i) : ("old entry " + i + " " + "x".repeat(i % 40)).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  /** An access entry as the first entry format wrote it. */
  static byte[] formatOne(int i) {
    byte[] p = new byte[16];
    p[0] = (byte) i;
    return health.ward.common.Canonical.builder().text("ward.access").number(1).instant(java.time.Instant.EPOCH)
        .bytes(p).text("read").text("Patient").text("").text("ALLOWED").text("api-token").bytes(null).number(0).encode();
  }

  @Test
  void anOldHashChain_becomesTheStartOfTheMerkleLog() throws Exception {
    List<byte[]> old = entries(5_000);
    String url = oldLedger(old, -1);
    try (WardApp app = WardApp.open(WardConfig.defaults(dir.resolve("data"), dir.resolve("keys")).withDatabase(url, "postgres", ""))) {
      LedgerReader reader = new LedgerReader(app.dataSource());
      assertEquals(5_000, reader.size());
      for (int i : new int[] {0, 1, 4_095, 4_096, 4_999}) assertArrayEquals(old.get(i), reader.entry(i).orElseThrow(), "entry " + i);
      Verification v = new LedgerVerifier(app.dataSource()).verify(n -> { throw new IllegalStateException(); }, List.of(),
          LedgerVerifier.Progress.NONE);
      assertTrue(v.intact(), v.toString());
      // The old access entries stay readable for audits (the filler entries here are not entries).
      var summary = new health.ward.audit.AuditLog(reader).scan(null, null, e -> e.firstFormat(), e -> true);
      assertEquals(3, summary.matched());
      assertEquals(5_000 - 3, summary.undecodable());
    }
  }

  @Test
  void aBrokenOldChain_isNotConverted_andSaysWhere() throws Exception {
    String url = oldLedger(entries(10), 7);
    var e = assertThrows(WardException.StoreUnavailable.class,
        () -> WardApp.open(WardConfig.defaults(dir.resolve("data"), dir.resolve("keys")).withDatabase(url, "postgres", "")));
    assertTrue(e.getMessage().contains("broken at entry 7"), e.getMessage());
  }
}
