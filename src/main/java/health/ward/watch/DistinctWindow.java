package health.ward.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Distinct keys (patients) seen in a sliding window of time: a key counts while its latest sighting
 * is within the window. Amortised O(1) per sighting; keeps at most {@code cap} keys (beyond that
 * the count saturates, which is far above every limit).
 */
final class DistinctWindow<K> {
  private final Duration length;
  private final int cap;
  private final LinkedHashMap<K, Instant> latest = new LinkedHashMap<>(16, 0.75f, true);

  DistinctWindow(Duration length, int cap) {
    this.length = length;
    this.cap = cap;
  }

  Duration length() {
    return length;
  }

  /** Notes {@code key} at {@code at}; returns the distinct keys now in the window. */
  int see(K key, Instant at) {
    latest.put(key, at);
    return count(at);
  }

  /** Whether {@code key} is already in the window. */
  boolean contains(K key, Instant at) {
    Instant t = latest.get(key);
    return t != null && !t.isBefore(at.minus(length));
  }

  int count(Instant at) {
    Instant from = at.minus(length);
    Iterator<Map.Entry<K, Instant>> it = latest.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<K, Instant> e = it.next();
      if (e.getValue().isBefore(from) || latest.size() > cap) it.remove();
      else break;
    }
    return latest.size();
  }

  void clear() {
    latest.clear();
  }
}
