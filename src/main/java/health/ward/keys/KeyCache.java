package health.ward.keys;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A bounded cache of unwrapped keys with approximate least-recently-used eviction.
 *
 * <p>The hit path takes no lock: a {@link ConcurrentHashMap} read plus, at most, one write of the
 * entry's recency stamp. Recency is a logical clock that advances on each insert, so an entry read
 * since the last insert counts as newest. When an insert takes the size past {@code capacity}, one
 * thread (the others skip) removes the oldest tenth; between sweeps the size may briefly exceed the
 * capacity by the number of concurrent inserts.
 */
final class KeyCache<K, V> {
  private static final class Slot<V> {
    final V value;
    volatile long used;

    Slot(V value, long used) {
      this.value = value;
      this.used = used;
    }
  }

  private record Aged<K, V>(K key, Slot<V> slot, long used) {}

  private final int capacity;
  private final ConcurrentHashMap<K, Slot<V>> map;
  private final AtomicLong clock = new AtomicLong();
  private final ReentrantLock sweeping = new ReentrantLock();

  KeyCache(int capacity) {
    if (capacity < 1) throw new IllegalArgumentException("cache size must be >= 1, was " + capacity);
    this.capacity = capacity;
    this.map = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1);
  }

  /**
   * The cached value for {@code key}, or {@code load}'s result, cached. The loader runs outside any
   * lock and may run more than once for one key under contention; the first value cached wins, so it
   * must be idempotent (here: the store's putIfAbsent makes it so).
   */
  V get(K key, Function<K, V> load) {
    Slot<V> s = map.get(key);
    if (s != null) {
      long now = clock.get();
      if (s.used != now) s.used = now;
      return s.value;
    }
    V loaded = Objects.requireNonNull(load.apply(key), "loaded key");
    Slot<V> won = map.putIfAbsent(key, new Slot<>(loaded, clock.incrementAndGet()));
    if (won != null) return won.value;
    if (map.size() > capacity) sweep();
    return loaded;
  }

  /** Drops {@code key}, e.g. after its key was shredded. */
  void invalidate(K key) {
    map.remove(key);
  }

  int size() {
    return map.size();
  }

  private void sweep() {
    // Check again after unlocking: an insert that found the lock taken after the sweeper's last
    // look would otherwise stay, and once every key is cached no miss comes to sweep it.
    while (map.size() > capacity && sweeping.tryLock()) {
      try {
        // Loop: inserts that skipped the sweep while it ran are evicted here too.
        int excess;
        while ((excess = map.size() - capacity) > 0) {
          evictOldest(Math.max(excess, capacity / 10));
        }
      } finally {
        sweeping.unlock();
      }
    }
  }

  private void evictOldest(int count) {
    // Stamps are copied first: readers keep moving them, and a sort needs a stable order.
    List<Aged<K, V>> entries = new ArrayList<>(map.size());
    for (Map.Entry<K, Slot<V>> e : map.entrySet()) {
      entries.add(new Aged<>(e.getKey(), e.getValue(), e.getValue().used));
    }
    entries.sort((a, b) -> Long.compare(a.used(), b.used()));
    for (int i = 0; i < count && i < entries.size(); i++) {
      map.remove(entries.get(i).key(), entries.get(i).slot());
    }
  }
}
