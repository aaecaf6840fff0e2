package health.ward.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Limits of normal behaviour: a floor per kind of actor (people, machines) below which nothing is
 * unusual, raised by the actor's own learned peak and by its role's (the median peak of the role's
 * actors with three days of history or more), times a margin. Role peaks are recomputed at most once
 * a minute.
 */
final class Baselines {
  /** Floors for people: distinct patients opened per 10 s, 1 min, 10 min, 1 h, 8 h. */
  static final int[] PERSON_OPEN = {4, 8, 20, 30, 80};
  static final int[] MACHINE_OPEN = {100, 300, 1_500, 5_000, 20_000};
  /** Distinct patients listed by searches per 1 min, 1 h. */
  static final int[] PERSON_LIST = {60, 200};
  static final int[] MACHINE_LIST = {2_000, 20_000};
  /** Requests per 10 s, 1 min. */
  static final int[] PERSON_RATE = {25, 90};
  static final int[] MACHINE_RATE = {1_000, 5_000};
  static final double PERSON_MARGIN = 2;
  static final double MACHINE_MARGIN = 3;

  enum Metric { OPEN, LIST, RATE }

  private volatile Map<String, double[][]> rolePeaks = Map.of();
  private volatile Instant computed = Instant.MIN;

  /** The limit for {@code s} on window {@code i} of {@code metric}: above it is unusual. */
  int limit(ActorState s, Metric metric, int i) {
    int floor = floors(metric, s.machine)[i];
    double own = s.mature() ? peaks(s, metric)[i] : 0;
    double[][] role = rolePeaks.get(s.role);
    double theirs = role == null ? 0 : role[metric.ordinal()][i];
    double margin = s.machine ? MACHINE_MARGIN : PERSON_MARGIN;
    return (int) Math.max(floor, Math.ceil(margin * Math.max(own, theirs)));
  }

  /**
   * Checks {@code count} on window {@code i} of {@code metric} at {@code at}: within the limit it
   * counts towards today's peak, which the actor's own baseline takes in tomorrow, and returns 0;
   * above it returns the limit (and teaches nothing).
   */
  int exceeded(ActorState s, Metric metric, int i, int count, Instant at) {
    s.rollPeaks(at);
    int limit = limit(s, metric, i);
    if (count > limit) return limit;
    double[] today = today(s, metric);
    today[i] = Math.max(today[i], count);
    return 0;
  }

  static double[] today(ActorState s, Metric metric) {
    return switch (metric) {
      case OPEN -> s.openToday;
      case LIST -> s.listToday;
      case RATE -> s.rateToday;
    };
  }

  /** The role's median peak on window {@code i} of {@code metric} (0 before any actor has history). */
  double rolePeak(String role, Metric metric, int i) {
    double[][] r = rolePeaks.get(role);
    return r == null ? 0 : r[metric.ordinal()][i];
  }

  static int[] floors(Metric metric, boolean machine) {
    return switch (metric) {
      case OPEN -> machine ? MACHINE_OPEN : PERSON_OPEN;
      case LIST -> machine ? MACHINE_LIST : PERSON_LIST;
      case RATE -> machine ? MACHINE_RATE : PERSON_RATE;
    };
  }

  static double[] peaks(ActorState s, Metric metric) {
    return switch (metric) {
      case OPEN -> s.openPeak;
      case LIST -> s.listPeak;
      case RATE -> s.ratePeak;
    };
  }

  void refresh(Collection<ActorState> all, Instant now) {
    if (!due(now)) return;
    synchronized (this) {
      if (!due(now)) return;
      computed = now;
      rolePeaks = compute(all);
    }
  }

  private boolean due(Instant now) {
    Instant last = computed;
    return last.equals(Instant.MIN) || now.isBefore(last) || Duration.between(last, now).compareTo(Duration.ofMinutes(1)) >= 0;
  }

  private static Map<String, double[][]> compute(Collection<ActorState> all) {
    Map<String, double[][]> result = new HashMap<>();
    Map<String, List<ActorState>> byRole = new HashMap<>();
    for (ActorState s : all) {
      synchronized (s) {
        if (s.mature()) byRole.computeIfAbsent(s.role, r -> new ArrayList<>()).add(s);
      }
    }
    for (var e : byRole.entrySet()) {
      double[][] out = new double[Metric.values().length][];
      for (Metric m : Metric.values()) {
        int n = floors(m, false).length;
        out[m.ordinal()] = new double[n];
        for (int i = 0; i < n; i++) {
          final int w = i;
          out[m.ordinal()][i] = median(e.getValue(), s -> peaks(s, m)[w]);
        }
      }
      result.put(e.getKey(), out);
    }
    return Map.copyOf(result);
  }

  private static double median(List<ActorState> states, ToDoubleFunction<ActorState> f) {
    double[] v = states.stream().mapToDouble(f).toArray();
    Arrays.sort(v);
    return v.length == 0 ? 0 : v[v.length / 2];
  }
}
