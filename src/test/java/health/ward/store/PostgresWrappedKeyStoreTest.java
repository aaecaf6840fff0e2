package health.ward.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Contract of {@link WrappedKeyStore} on real PostgreSQL; each test uses its own kind. */
class PostgresWrappedKeyStoreTest {
  static Database db;
  static WrappedKeyStore store;

  @BeforeAll
  static void open() {
    db = TestDatabase.fresh();
    store = new PostgresWrappedKeyStore(db.dataSource());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static byte[] b(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) out[i] = (byte) v[i];
    return out;
  }

  @Test
  void find_ofMissingRow_isEmpty() {
    assertTrue(store.find("missing", b(1)).isEmpty());
  }

  @Test
  void putIfAbsent_onEmptyRow_storesAndReturnsOurs() {
    assertArrayEquals(b(9, 9), store.putIfAbsent("put", b(1), b(9, 9)));
    assertArrayEquals(b(9, 9), store.find("put", b(1)).orElseThrow());
  }

  @Test
  void putIfAbsent_onTakenRow_returnsTheFirstValue() {
    store.putIfAbsent("taken", b(1), b(1));
    assertArrayEquals(b(1), store.putIfAbsent("taken", b(1), b(2)));
    assertArrayEquals(b(1), store.find("taken", b(1)).orElseThrow());
  }

  @Test
  void putIfAbsent_sameNameOtherKindOrEmptyName_areSeparateRows() {
    store.putIfAbsent("sepA", b(), b(1));
    store.putIfAbsent("sepB", b(), b(2));
    store.putIfAbsent("sepA", b(0), b(3));
    assertArrayEquals(b(1), store.find("sepA", b()).orElseThrow());
    assertArrayEquals(b(2), store.find("sepB", b()).orElseThrow());
    assertArrayEquals(b(3), store.find("sepA", b(0)).orElseThrow());
  }

  @Test
  void putIfAbsent_concurrentFrom8Threads_allSeeOneWinner() throws Exception {
    for (int round = 0; round < 10; round++) {
      byte[] name = b(round);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<byte[]>> results = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
        for (int t = 0; t < 8; t++) {
          byte[] mine = b(t, round);
          results.add(pool.submit(() -> { go.await(); return store.putIfAbsent("race", name, mine); }));
        }
        go.countDown();
        byte[] winner = null;
        for (Future<byte[]> f : results) {
          byte[] got = f.get();
          if (winner == null) winner = got;
          assertArrayEquals(winner, got);
        }
        assertArrayEquals(winner, store.find("race", name).orElseThrow());
      }
    }
    assertEquals(10, store.count("race"));
  }

  @Test
  void delete_removesOnlyThatRow() {
    store.putIfAbsent("del", b(1), b(1));
    store.putIfAbsent("del", b(2), b(2));
    assertTrue(store.delete("del", b(1)));
    assertFalse(store.delete("del", b(1)));
    assertTrue(store.find("del", b(1)).isEmpty());
    assertTrue(store.find("del", b(2)).isPresent());
  }

  @Test
  void rewrapAll_inSmallBatches_rewritesEveryRowOnce() {
    Database own = TestDatabase.fresh();
    try (own) {
      WrappedKeyStore s = new PostgresWrappedKeyStore(own.dataSource());
      for (int i = 0; i < 7; i++) s.putIfAbsent(i % 2 == 0 ? "a" : "b", b(i), b(i));
      List<Long> progress = new ArrayList<>();
      long n = s.rewrapAll(3, e -> { byte[] w = e.wrapped(); w[0] += 100; return w; }, progress::add);
      assertEquals(7, n);
      assertEquals(List.of(3L, 6L, 7L), progress);
      for (int i = 0; i < 7; i++) {
        assertArrayEquals(b(i + 100), s.find(i % 2 == 0 ? "a" : "b", b(i)).orElseThrow());
      }
      Set<String> seen = new HashSet<>();
      s.forEach(2, e -> seen.add(e.kind() + e.name()[0]));
      assertEquals(7, seen.size());
    }
  }

  @Test
  void rewrapAll_whenRewrapThrows_keepsThatBatchUnchanged() {
    Database own = TestDatabase.fresh();
    try (own) {
      WrappedKeyStore s = new PostgresWrappedKeyStore(own.dataSource());
      for (int i = 0; i < 4; i++) s.putIfAbsent("k", b(i), b(i));
      assertThrows(IllegalStateException.class, () -> s.rewrapAll(2, e -> {
        if (e.name()[0] == 3) throw new IllegalStateException("stop");
        return b(50);
      }, n -> {}));
      assertArrayEquals(b(50), s.find("k", b(0)).orElseThrow());
      assertArrayEquals(b(50), s.find("k", b(1)).orElseThrow());
      assertArrayEquals(b(2), s.find("k", b(2)).orElseThrow());
      assertArrayEquals(b(3), s.find("k", b(3)).orElseThrow());
    }
  }

  @Test
  void operations_onClosedDatabase_failWithStoreUnavailable() {
    Database own = TestDatabase.fresh();
    WrappedKeyStore s = new PostgresWrappedKeyStore(own.dataSource());
    own.close();
    WardException e = assertThrows(WardException.StoreUnavailable.class, () -> s.find("k", b(1)));
    assertEquals(WardException.Code.STORE_UNAVAILABLE, e.code());
    assertThrows(WardException.StoreUnavailable.class, () -> s.putIfAbsent("k", b(1), b(1)));
  }
}
