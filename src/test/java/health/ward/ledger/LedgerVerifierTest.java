package health.ward.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import health.ward.store.Database;
import health.ward.store.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tampering with the stored ledger, row by row, as an attacker with database access would: every
 * change, deletion, reordering, insertion, truncation and roll-back is found, and named.
 */
class LedgerVerifierTest {
  static Database db;
  static List<Row> original;
  static TreeHead head;
  static final int ENTRIES = 300;

  record Row(long first, int count, byte[] entries, byte[] hashes) {}

  @BeforeAll
  static void buildLedger() throws Exception {
    db = TestDatabase.fresh();
    try (PostgresLedger ledger = new PostgresLedger(db.dataSource(), Clock.systemUTC())) {
      // Rounds of concurrent appends give batches of different sizes.
      ExecutorService pool = Executors.newFixedThreadPool(16);
      int n = 0;
      Random random = new Random(7);
      while (n < ENTRIES) {
        int round = Math.min(ENTRIES - n, 1 + random.nextInt(12));
        List<Future<Long>> fs = new ArrayList<>();
        for (int i = 0; i < round; i++) {
          int k = n + i;
          fs.add(pool.submit(() -> ledger.append(entry(k))));
        }
        for (var f : fs) f.get();
        n += round;
      }
      pool.shutdown();
      head = ledger.head();
    }
    original = rows();
    assertTrue(original.size() > 30 && original.stream().anyMatch(r -> r.count() > 1), "varied batches");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void untouched_isIntact_andMatchesTheWritersHead() throws Exception {
    restore();
    assertEquals(new Verification.Intact(head, 1), verify(List.of(new LedgerVerifier.Expected(head, "test"))));
  }

  @Test
  void changedEntry_isNamed() throws Exception {
    restore();
    Row r = original.get(original.size() / 2);
    byte[] entries = r.entries().clone();
    entries[entries.length - 1] ^= 1; // the last entry of the batch
    replace(r, new Row(r.first(), r.count(), entries, r.hashes()));
    var broken = broken(verify(List.of()));
    assertEquals(r.first() + r.count() - 1, broken.index());
    assertEquals(Verification.Fault.LEAF_MISMATCH, broken.fault());
  }

  @Test
  void changedEntry_withHashesRewritten_isCaughtByTheNextCheckpoint() throws Exception {
    restore();
    List<Row> forged = rewriteFrom(original, 100, e -> e[e.length - 1] ^= 1);
    restore(forged);
    assertTrue(verify(List.of()).intact(), "consistent by itself: only a checkpoint can tell");
    var broken = broken(verify(List.of(new LedgerVerifier.Expected(head, "the witness"))));
    assertEquals(Verification.Fault.CHECKPOINT_MISMATCH, broken.fault());
    assertTrue(broken.detail().contains("the witness"), broken.detail());
  }

  @Test
  void deletedBatch_isAGap() throws Exception {
    restore();
    Row r = original.get(5);
    sql("delete from ledger_batch where first_idx = " + r.first());
    var broken = broken(verify(List.of()));
    assertEquals(Verification.Fault.GAP, broken.fault());
    assertEquals(r.first(), broken.index());
  }

  @Test
  void truncatedLog_andRolledBackCopy_areCaughtByAnyLaterCheckpoint() throws Exception {
    restore();
    sql("delete from ledger_batch where first_idx >= " + original.get(original.size() - 3).first());
    assertTrue(verify(List.of()).intact(), "a shorter log is a valid log by itself");
    var broken = broken(verify(List.of(new LedgerVerifier.Expected(head, "checkpoint file"))));
    assertEquals(Verification.Fault.TRUNCATED, broken.fault());
    assertEquals(original.get(original.size() - 3).first(), broken.index());
  }

  @Test
  void writer_refusesToContinueALogSomeoneElseExtended() throws Exception {
    restore();
    try (PostgresLedger ledger = new PostgresLedger(db.dataSource(), Clock.systemUTC())) {
      long next = ledger.size();
      // Another party appends a batch under the writer.
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps = c.prepareStatement("insert into ledger_batch values (?, 1, ?, ?, now())")) {
        byte[] e = entry(999);
        ps.setLong(1, next);
        ps.setBytes(2, LedgerBatch.encodeEntries(List.of(e)));
        CompactRange r = CompactRange.of(next, new LedgerReader(db.dataSource()).hashes());
        byte[] hashes = new byte[0];
        for (var node : r.append(Merkle.leafHash(e))) hashes = concat(hashes, node.hash());
        ps.setBytes(3, hashes);
        ps.executeUpdate();
      }
      assertThrows(WardException.LedgerUnavailable.class, () -> ledger.append(entry(1000)));
      var refused = assertThrows(WardException.LedgerUnavailable.class, () -> ledger.append(entry(1001)));
      assertTrue(refused.getCause().getMessage().contains("someone else wrote"), refused.getCause().getMessage());
    }
  }

  enum Mutation { FLIP_ENTRY_BYTE, FLIP_HASH_BYTE, DELETE_BATCH, SWAP_BATCHES, INSERT_BATCH, TRUNCATE, REWRITE_TAIL }

  /** Random tampering, many times over: every mutation is detected, at or before the mutated entry. */
  @Test
  void randomMutations_areAllDetected_andLocated() throws Exception {
    Random random = new Random(20261122);
    Map<Mutation, Integer> detected = new EnumMap<>(Mutation.class);
    List<LedgerVerifier.Expected> witness = List.of(new LedgerVerifier.Expected(head, "witness"));
    int runs = 1_050;
    for (int run = 0; run < runs; run++) {
      Mutation m = Mutation.values()[run % Mutation.values().length];
      List<Row> rows = new ArrayList<>(original);
      int at = random.nextInt(rows.size() - 1);
      Row r = rows.get(at);
      long firstBad; // the first entry index the mutation touched
      switch (m) {
        case FLIP_ENTRY_BYTE -> {
          byte[] e = r.entries().clone();
          int pos = random.nextInt(e.length);
          e[pos] ^= (byte) (1 << random.nextInt(8));
          rows.set(at, new Row(r.first(), r.count(), e, r.hashes()));
          firstBad = r.first() + entryAt(r.entries(), pos);
        }
        case FLIP_HASH_BYTE -> {
          byte[] h = r.hashes().clone();
          int pos = random.nextInt(h.length);
          h[pos] ^= (byte) (1 << random.nextInt(8));
          rows.set(at, new Row(r.first(), r.count(), r.entries(), h));
          // The flipped hash belongs to subtree (level, leaf >> level); its first leaf is the first
          // entry whose proof it breaks.
          long leaf = r.first();
          int hashIndex = pos / Merkle.HASH_LENGTH;
          while (hashIndex >= Merkle.completedLevels(leaf)) hashIndex -= Merkle.completedLevels(leaf++);
          firstBad = (leaf >> hashIndex) << hashIndex;
        }
        case DELETE_BATCH -> {
          rows.remove(at);
          firstBad = r.first();
        }
        case SWAP_BATCHES -> {
          Row s = rows.get(at + 1);
          rows.set(at, new Row(r.first(), s.count(), s.entries(), s.hashes()));
          rows.set(at + 1, new Row(r.first() + s.count(), r.count(), r.entries(), r.hashes()));
          firstBad = r.first();
        }
        case INSERT_BATCH -> {
          // A forged entry in the middle, every later batch shifted by one, all hashes recomputed.
          List<byte[]> all = entries(rows);
          int pos = (int) r.first();
          all.add(pos, ("forged " + run).getBytes(StandardCharsets.UTF_8));
          rows = rebuild(all, original);
          firstBad = pos;
        }
        case TRUNCATE -> {
          rows = new ArrayList<>(rows.subList(0, at + 1));
          firstBad = r.first() + r.count();
        }
        case REWRITE_TAIL -> {
          int flipAt = (int) r.first();
          rows = rewriteFrom(rows, flipAt, e -> e[0] ^= 1);
          firstBad = flipAt;
        }
        default -> throw new AssertionError(m);
      }
      restore(rows);
      Verification v = verify(witness);
      var broken = assertInstanceOf(Verification.Broken.class, v, m + " at batch " + at + " was not detected");
      assertTrue(broken.index() <= firstBad, m + ": named " + broken.index() + " (" + broken.detail() + "), first bad entry " + firstBad);
      detected.merge(m, 1, Integer::sum);
    }
    assertEquals(runs, detected.values().stream().mapToInt(Integer::intValue).sum());
    assertEquals(Mutation.values().length, detected.size());
  }

  // ---- helpers -----------------------------------------------------------------------------------

  static Verification verify(List<LedgerVerifier.Expected> trusted) {
    return new LedgerVerifier(db.dataSource()).verify(
        note -> { throw new IllegalStateException("no stored checkpoints here"); }, trusted, LedgerVerifier.Progress.NONE);
  }

  static Verification.Broken broken(Verification v) {
    return assertInstanceOf(Verification.Broken.class, v);
  }

  static byte[] entry(int k) {
    return ("access " + k + " " + "p".repeat(k % 50)).getBytes(StandardCharsets.UTF_8);
  }

  /** Which entry of a batch's entries blob holds byte {@code pos}. */
  static int entryAt(byte[] blob, int pos) {
    var b = java.nio.ByteBuffer.wrap(blob);
    int i = 0;
    while (true) {
      int start = b.position();
      int len = b.getInt();
      if (pos < start + 4 + len) return i;
      b.position(start + 4 + len);
      i++;
    }
  }

  static List<byte[]> entries(List<Row> rows) throws Exception {
    List<byte[]> all = new ArrayList<>();
    for (Row r : rows) all.addAll(LedgerBatch.decodeEntries(r.entries(), r.count()));
    return all;
  }

  interface Edit {
    void apply(byte[] entry);
  }

  /** Changes entry {@code at} and rewrites every stored hash to match, as a careful attacker would. */
  static List<Row> rewriteFrom(List<Row> rows, int at, Edit edit) throws Exception {
    List<byte[]> all = entries(rows);
    edit.apply(all.get(at));
    return rebuild(all, rows);
  }

  /** Batches of the same sizes as {@code shape} (the last one taking the rest), hashes recomputed. */
  static List<Row> rebuild(List<byte[]> all, List<Row> shape) {
    List<Row> out = new ArrayList<>();
    CompactRange range = new CompactRange();
    int k = 0;
    for (int s = 0; k < all.size(); s++) {
      int count = s < shape.size() - 1 ? Math.min(shape.get(s).count(), all.size() - k) : all.size() - k;
      List<byte[]> batch = all.subList(k, k + count);
      byte[] hashes = new byte[0];
      for (byte[] e : batch) for (var node : range.append(Merkle.leafHash(e))) hashes = concat(hashes, node.hash());
      out.add(new Row(k, count, LedgerBatch.encodeEntries(batch), hashes));
      k += count;
    }
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  static List<Row> rows() throws SQLException {
    List<Row> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select first_idx, entry_count, entries, hashes from ledger_batch order by first_idx")) {
      while (rs.next()) out.add(new Row(rs.getLong(1), rs.getInt(2), rs.getBytes(3), rs.getBytes(4)));
    }
    return out;
  }

  static void restore() throws SQLException {
    restore(original);
  }

  static void restore(List<Row> rows) throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("alter table ledger_batch disable trigger user");
        s.execute("delete from ledger_batch");
      }
      try (PreparedStatement ps = c.prepareStatement("insert into ledger_batch values (?, ?, ?, ?, now())")) {
        for (Row r : rows) {
          ps.setLong(1, r.first());
          ps.setInt(2, r.count());
          ps.setBytes(3, r.entries());
          ps.setBytes(4, r.hashes());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      try (Statement s = c.createStatement()) {
        s.execute("alter table ledger_batch enable trigger user");
      }
      c.commit();
    }
  }

  static void replace(Row old, Row now) throws SQLException {
    List<Row> rows = new ArrayList<>(original);
    rows.set(rows.indexOf(old), now);
    restore(rows);
  }

  static void sql(String statement) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("alter table ledger_batch disable trigger user");
      s.execute(statement);
      s.execute("alter table ledger_batch enable trigger user");
    }
  }
}
