package health.ward.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import health.ward.store.Database;
import health.ward.store.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresLedgerTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

  Database db;
  PostgresLedger ledger;

  @BeforeEach
  void open() {
    db = TestDatabase.fresh();
    ledger = new PostgresLedger(db.dataSource(), CLOCK, Duration.ofSeconds(5));
  }

  @AfterEach
  void close() {
    ledger.close();
    db.close();
  }

  @Test
  void appends_fromManyThreads_getUniqueContiguousIndexes_andEveryEntryReadsBack() throws Exception {
    int threads = 32, perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<long[]>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        start.await();
        List<long[]> mine = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          mine.add(new long[] {ledger.append(entry(thread, i)), thread, i});
        }
        return mine;
      }));
    }
    start.countDown();
    List<long[]> all = new ArrayList<>();
    for (var f : futures) all.addAll(f.get());
    pool.shutdown();

    List<Long> indexes = new ArrayList<>(all.stream().map(a -> a[0]).toList());
    Collections.sort(indexes);
    for (int i = 0; i < indexes.size(); i++) assertEquals(i, indexes.get(i));
    for (long[] a : all) {
      assertArrayEquals(entry((int) a[1], (int) a[2]), ledger.entry(a[0]).orElseThrow());
    }
    assertEquals(threads * perThread, ledger.size());
    assertEquals(new Verification.Intact(ledger.head(), 0), verify());
    assertEquals(ledger.head(), ledger.reader().head(ledger.size()));
  }

  @Test
  void append_whenTableIsUnwritable_failsPromptly_andSucceedsAfterRepair() throws Exception {
    for (int i = 0; i < 3; i++) ledger.append(entry(0, i));
    sql("alter table ledger_batch rename to ledger_batch_hidden");

    long started = System.nanoTime();
    assertThrows(WardException.LedgerUnavailable.class, () -> ledger.append(entry(1, 0)));
    assertThrows(WardException.LedgerUnavailable.class, () -> ledger.append(entry(1, 1)));
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "fails promptly");

    sql("alter table ledger_batch_hidden rename to ledger_batch");
    assertEquals(3, ledger.append(entry(2, 0)));
    assertEquals(4, ledger.size());
    assertTrue(verify().intact());
  }

  @Test
  void append_whenInsertIsRefused_failsClosed_andIndexesStayContiguous() throws Exception {
    ledger.append(entry(0, 0));
    sql("create function refuse() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$");
    sql("create trigger refuse before insert on ledger_batch for each statement execute function refuse()");
    var e = assertThrows(WardException.LedgerUnavailable.class, () -> ledger.append(entry(1, 0)));
    assertTrue(e.getMessage().contains("durable"), e.getMessage());

    sql("drop trigger refuse on ledger_batch");
    assertEquals(1, ledger.append(entry(2, 0)));
    assertTrue(verify().intact());
  }

  @Test
  void append_whenDatabaseIsGone_failsWithinTheTimeout() {
    ledger.append(entry(0, 0));
    db.close();
    long started = System.nanoTime();
    assertThrows(WardException.LedgerUnavailable.class, () -> ledger.append(entry(1, 0)));
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(7).toNanos());
    db = TestDatabase.fresh();
  }

  @Test
  void append_whenTheDatabaseHangs_failsAfterTheTimeout_andTheChainStaysContiguous() throws Exception {
    ledger.close();
    ledger = new PostgresLedger(db.dataSource(), CLOCK, Duration.ofMillis(500));
    ledger.append(entry(0, 0));
    try (Connection blocker = db.dataSource().getConnection(); Statement s = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      s.execute("lock table ledger_batch in access exclusive mode");
      long started = System.nanoTime();
      var e = assertThrows(WardException.LedgerUnavailable.class, () -> ledger.append(entry(1, 0)));
      long waited = System.nanoTime() - started;
      assertTrue(waited >= Duration.ofMillis(450).toNanos() && waited < Duration.ofSeconds(3).toNanos(), "waited " + waited);
      assertTrue(e.getMessage().contains("not durable within"), e.getMessage());
      blocker.rollback();
    }
    // The timed-out entry may still land; either way the next one follows it without a gap.
    long next = ledger.append(entry(2, 0));
    assertTrue(next == 1 || next == 2, "index " + next);
    assertEquals(next + 1, ledger.size());
    assertEquals(new Verification.Intact(ledger.head(), 0), verify());
  }

  @Test
  void reopening_continuesTheChain() {
    ledger.append(entry(0, 0));
    ledger.append(entry(0, 1));
    ledger.close();
    ledger = new PostgresLedger(db.dataSource(), CLOCK);
    assertEquals(2, ledger.size());
    assertEquals(2, ledger.append(entry(0, 2)));
    assertTrue(verify().intact());
  }

  @Test
  void close_commitsWhatIsQueued_thenRefusesNewEntries() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Long>> queued = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      int n = i;
      queued.add(pool.submit(() -> ledger.append(entry(0, n))));
    }
    for (var f : queued) f.get();
    ledger.close();
    pool.shutdown();
    assertEquals(200, ledger.size());
    assertThrows(WardException.LedgerUnavailable.class, () -> ledger.append(entry(1, 0)));
  }

  @Test
  void storedRows_cannotBeUpdatedDeletedOrTruncated() throws SQLException {
    ledger.append(entry(0, 0));
    for (String change : List.of(
        "update ledger_batch set entries = '\\x00'::bytea where first_idx = 0",
        "delete from ledger_batch where first_idx = 0",
        "truncate ledger_batch",
        "insert into ledger_checkpoint values (0, 'x', now())",
        "update ledger_checkpoint set note = 'y'",
        "delete from ledger_checkpoint",
        "truncate ledger_checkpoint")) {
      if (change.startsWith("insert")) {
        sql(change);
        continue;
      }
      var e = assertThrows(SQLException.class, () -> sql(change), change);
      assertTrue(e.getMessage().contains("append-only"), e.getMessage());
    }
    // The junk checkpoint stays (the table is append-only too), and verification names it.
    var v = assertInstanceOf(Verification.Broken.class, verify());
    assertEquals(Verification.Fault.BAD_CHECKPOINT, v.fault());
  }

  @Test
  void recordedAt_comesFromTheInjectedClock() throws Exception {
    ledger.append(entry(0, 0));
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        var rs = s.executeQuery("select recorded_at from ledger_batch where first_idx = 0")) {
      rs.next();
      assertEquals(CLOCK.instant(), rs.getObject(1, java.time.OffsetDateTime.class).toInstant());
    }
  }

  @Test
  void rootsAndHeads_matchTheTreeOfTheAppendedEntries() {
    CompactRange expected = new CompactRange();
    for (int i = 0; i < 37; i++) {
      ledger.append(entry(0, i));
      expected.append(Merkle.leafHash(entry(0, i)));
      assertEquals(new TreeHead(expected.size(), expected.root()), ledger.head());
    }
    for (long size = 0; size <= 37; size++) {
      CompactRange r = new CompactRange();
      for (int i = 0; i < size; i++) r.append(Merkle.leafHash(entry(0, i)));
      assertEquals(new TreeHead(size, r.root()), ledger.reader().head(size), "size " + size);
    }
  }

  Verification verify() {
    return new LedgerVerifier(db.dataSource()).verify(note -> { throw new IllegalStateException("no checkpoints expected"); },
        List.of(), LedgerVerifier.Progress.NONE);
  }

  void sql(String statement) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  static byte[] entry(int thread, int i) {
    return ("entry " + thread + "/" + i + " " + "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
  }
}
