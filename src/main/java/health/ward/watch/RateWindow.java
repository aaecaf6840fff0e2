package health.ward.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/** Events in a sliding window of time (requests, denials); keeps at most {@code cap} of them. */
final class RateWindow {
  private final Duration length;
  private final int cap;
  private final ArrayDeque<Instant> times = new ArrayDeque<>();

  RateWindow(Duration length, int cap) {
    this.length = length;
    this.cap = cap;
  }

  Duration length() {
    return length;
  }

  /** Notes one event at {@code at}; returns the events now in the window. */
  int add(Instant at) {
    times.addLast(at);
    return count(at);
  }

  int count(Instant at) {
    Instant from = at.minus(length);
    while (!times.isEmpty() && (times.peekFirst().isBefore(from) || times.size() > cap)) times.removeFirst();
    return times.size();
  }

  void clear() {
    times.clear();
  }
}
