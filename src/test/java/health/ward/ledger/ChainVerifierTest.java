package health.ward.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.ledger.ChainVerification.Broken;
import health.ward.ledger.ChainVerification.Fault;
import health.ward.store.Database;
import health.ward.store.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tampering as an attacker with database superuser would: the append-only triggers are disabled
 * first, then rows are edited directly.
 */
class ChainVerifierTest {
  static final int SIZE = 20;

  Database db;
  ChainVerifier verifier;
  ChainHead trusted;

  @BeforeEach
  void open() throws SQLException {
    db = TestDatabase.fresh();
    try (var ledger = new PostgresLedger(db.dataSource(), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))) {
      for (int i = 0; i < SIZE; i++) ledger.append(entry(i));
      trusted = ledger.head();
    }
    verifier = new ChainVerifier(db.dataSource());
    sql("alter table ledger_entry disable trigger user");
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void verify_untouchedLedger_isIntact_withTheWritersHead() {
    assertEquals(new ChainVerification.Intact(trusted), verifier.verify());
    assertEquals(new ChainVerification.Intact(trusted), verifier.verify(trusted));
  }

  @Test
  void verify_emptyLedger_isIntact_atSizeZero() throws SQLException {
    sql("delete from ledger_entry");
    assertEquals(new ChainVerification.Intact(new ChainHead(0, HashChain.start())), verifier.verify());
  }

  @Test
  void verify_changedEntry_namesItsIndex() throws SQLException {
    sql("update ledger_entry set entry = '\\x6576696c'::bytea where idx = 7");
    assertBroken(7, Fault.LEAF_MISMATCH, verifier.verify());
  }

  @Test
  void verify_changedEntryWithRecomputedLeaf_isAChainMismatch() throws SQLException {
    byte[] forged = "forged".getBytes(StandardCharsets.UTF_8);
    update(7, forged, HashChain.leafHash(forged), row(7).chain);
    assertBroken(7, Fault.CHAIN_MISMATCH, verifier.verify());
  }

  @Test
  void verify_deletedRow_isAGapAtItsIndex() throws SQLException {
    sql("delete from ledger_entry where idx = 5");
    assertBroken(5, Fault.GAP, verifier.verify());
  }

  @Test
  void verify_swappedRows_namesTheFirst() throws SQLException {
    Row a = row(3), b = row(9);
    update(3, b.entry, b.leaf, b.chain);
    update(9, a.entry, a.leaf, a.chain);
    assertBroken(3, Fault.CHAIN_MISMATCH, verifier.verify());
  }

  @Test
  void verify_insertedRow_withAValidLinkToItsPredecessor_breaksAtItsSuccessor() throws SQLException {
    insertForged(10);
    assertBroken(11, Fault.CHAIN_MISMATCH, verifier.verify());
  }

  @Test
  void verify_truncatedTail_isCaughtOnlyAgainstATrustedHead() throws SQLException {
    sql("delete from ledger_entry where idx >= 15");
    assertTrue(verifier.verify().intact());
    assertBroken(15, Fault.HEAD_MISMATCH, verifier.verify(trusted));
  }

  @Test
  void verify_rewrittenTail_isCaughtOnlyAgainstATrustedHead() throws SQLException {
    byte[] chain = row(11).chain;
    for (int i = 12; i < SIZE; i++) {
      byte[] forged = ("forged " + i).getBytes(StandardCharsets.UTF_8);
      byte[] leaf = HashChain.leafHash(forged);
      chain = HashChain.next(chain, leaf);
      update(i, forged, leaf, chain);
    }
    assertTrue(verifier.verify().intact());
    assertBroken(SIZE - 1, Fault.HEAD_MISMATCH, verifier.verify(trusted));
  }

  /** Every single mutation of the stored rows is caught against the head the writer reported. */
  @Test
  void verify_randomSingleMutations_areAllDetected() throws SQLException {
    sql("create table ledger_backup as select * from ledger_entry");
    Random random = new Random(20260102);
    int trials = 150;
    Map<Fault, Integer> seen = new EnumMap<>(Fault.class);
    for (int t = 0; t < trials; t++) {
      String mutation = mutate(random);
      ChainVerification v = verifier.verify(trusted);
      assertInstanceOf(Broken.class, v, "undetected: " + mutation);
      seen.merge(((Broken) v).fault(), 1, Integer::sum);
      sql("delete from ledger_entry; insert into ledger_entry select * from ledger_backup");
      assertTrue(verifier.verify(trusted).intact());
    }
    assertFalse(seen.isEmpty());
  }

  private String mutate(Random random) throws SQLException {
    int i = random.nextInt(SIZE);
    Row r = row(i);
    switch (random.nextInt(6)) {
      case 0 -> {
        update(i, flip(r.entry, random), r.leaf, r.chain);
        return "flip entry " + i;
      }
      case 1 -> {
        update(i, r.entry, flip(r.leaf, random), r.chain);
        return "flip leaf " + i;
      }
      case 2 -> {
        update(i, r.entry, r.leaf, flip(r.chain, random));
        return "flip chain " + i;
      }
      case 3 -> {
        sql("delete from ledger_entry where idx = " + i);
        return "delete " + i;
      }
      case 4 -> {
        int j = (i + 1 + random.nextInt(SIZE - 1)) % SIZE;
        Row s = row(j);
        update(i, s.entry, s.leaf, s.chain);
        update(j, r.entry, r.leaf, r.chain);
        return "swap " + i + " " + j;
      }
      default -> {
        insertForged(i);
        return "insert at " + i;
      }
    }
  }

  /** Shifts rows at and after {@code at} up by one and inserts a row chained to row {@code at-1}. */
  private void insertForged(int at) throws SQLException {
    byte[] previous = at == 0 ? HashChain.start() : row(at - 1).chain;
    // Two steps, because the primary key is checked per row.
    sql("update ledger_entry set idx = idx + 1000000 where idx >= " + at);
    sql("update ledger_entry set idx = idx - 999999 where idx >= 1000000");
    byte[] forged = "forged".getBytes(StandardCharsets.UTF_8);
    byte[] leaf = HashChain.leafHash(forged);
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "insert into ledger_entry values (?, ?, ?, ?, now())")) {
      ps.setLong(1, at);
      ps.setBytes(2, forged);
      ps.setBytes(3, leaf);
      ps.setBytes(4, HashChain.next(previous, leaf));
      ps.executeUpdate();
    }
  }

  private static byte[] flip(byte[] b, Random random) {
    byte[] out = b.clone();
    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
    return out;
  }

  private static void assertBroken(long index, Fault fault, ChainVerification v) {
    Broken b = assertInstanceOf(Broken.class, v);
    assertEquals(index, b.index(), b.toString());
    assertEquals(fault, b.fault(), b.toString());
  }

  private record Row(byte[] entry, byte[] leaf, byte[] chain) {}

  private Row row(long idx) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select entry, leaf_hash, chain_hash from ledger_entry where idx = ?")) {
      ps.setLong(1, idx);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Row(rs.getBytes(1), rs.getBytes(2), rs.getBytes(3));
      }
    }
  }

  private void update(long idx, byte[] entry, byte[] leaf, byte[] chain) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(
            "update ledger_entry set entry = ?, leaf_hash = ?, chain_hash = ? where idx = ?")) {
      ps.setBytes(1, entry);
      ps.setBytes(2, leaf);
      ps.setBytes(3, chain);
      ps.setLong(4, idx);
      assertEquals(1, ps.executeUpdate());
    }
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  static byte[] entry(int i) {
    return ("audit entry " + i).getBytes(StandardCharsets.UTF_8);
  }
}
