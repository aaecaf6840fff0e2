package health.ward.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyCacheTest {

  @Test
  void get_ofCachedKey_doesNotLoadAgain() {
    KeyCache<String, String> cache = new KeyCache<>(4);
    List<String> loads = new ArrayList<>();
    cache.get("a", k -> { loads.add(k); return "A"; });
    assertEquals("A", cache.get("a", k -> { loads.add(k); return "other"; }));
    assertEquals(List.of("a"), loads);
  }

  @Test
  void get_pastCapacity_evictsTheLeastRecentlyUsed() {
    KeyCache<Integer, Integer> cache = new KeyCache<>(10);
    for (int i = 0; i < 10; i++) cache.get(i, k -> k);
    cache.get(0, k -> -1);
    cache.get(10, k -> k);
    assertEquals(10, cache.size());
    assertEquals(0, cache.get(0, k -> -1), "recently read key survives");
    assertEquals(-1, cache.get(1, k -> -1), "oldest key was evicted and loads again");
  }

  @Test
  void get_manyKeys_staysBounded() {
    KeyCache<Integer, Integer> cache = new KeyCache<>(100);
    for (int i = 0; i < 10_000; i++) cache.get(i, k -> k);
    assertTrue(cache.size() <= 100, "size " + cache.size());
  }

  @Test
  void invalidate_dropsTheKey() {
    KeyCache<String, String> cache = new KeyCache<>(4);
    cache.get("a", k -> "A");
    cache.invalidate("a");
    assertEquals("B", cache.get("a", k -> "B"));
  }

  @Test
  void capacity_belowOne_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new KeyCache<String, String>(0));
  }

  @Test
  void get_from8ThreadsWithEvictions_alwaysReturnsTheKeysOwnValue() throws Exception {
    KeyCache<Integer, String> cache = new KeyCache<>(16);
    java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        done.add(pool.submit(() -> {
          java.util.Random r = new java.util.Random(seed);
          for (int i = 0; i < 20_000; i++) {
            int k = r.nextInt(64);
            if (!cache.get(k, String::valueOf).equals(String.valueOf(k))) wrong.incrementAndGet();
          }
        }));
      }
      for (var f : done) f.get();
    }
    assertEquals(0, wrong.get());
    assertTrue(cache.size() <= 16 + 8, "size " + cache.size());
  }
}
