package health.ward.watch;

import health.ward.common.Pseudonym;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the watch remembers of one actor (a staff account or a token): sliding windows of the
 * patients it opened and listed, its request rate and refusals, the addresses each of its
 * credentials came from, the hours it works, and its learned peaks (its own baseline). Guarded by
 * its own monitor: one actor's requests are scored one at a time.
 */
final class ActorState {
  /** Windows over which distinct patients opened are counted. */
  static final Duration[] OPEN_WINDOWS = {
    Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(8)
  };
  /** Windows over which distinct patients listed by searches are counted. */
  static final Duration[] LIST_WINDOWS = {Duration.ofMinutes(1), Duration.ofHours(1)};
  /** Windows over which requests are counted. */
  static final Duration[] RATE_WINDOWS = {Duration.ofSeconds(10), Duration.ofMinutes(1)};
  private static final int CAP = 50_000;

  final String actor;
  final String role;
  final boolean machine;
  final DistinctWindow<Pseudonym>[] opened;
  final DistinctWindow<Pseudonym>[] listed;
  final RateWindow[] requests;
  final DistinctWindow<Pseudonym> refused = new DistinctWindow<>(Duration.ofMinutes(10), CAP);
  final RateWindow paged = new RateWindow(Duration.ofMinutes(1), CAP);
  /**
   * Learned peaks (own baseline) per window, in the order of the window arrays: the highest counts
   * within the limit on earlier days. Today's highest counts join them only when the day is over,
   * so a burst cannot raise its own limit while it happens.
   */
  final double[] openPeak = new double[OPEN_WINDOWS.length];
  final double[] listPeak = new double[LIST_WINDOWS.length];
  final double[] ratePeak = new double[RATE_WINDOWS.length];
  final double[] openToday = new double[OPEN_WINDOWS.length];
  final double[] listToday = new double[LIST_WINDOWS.length];
  final double[] rateToday = new double[RATE_WINDOWS.length];
  private long peakDay = Long.MIN_VALUE;
  /** Addresses and clients each credential was used from, and how often it was used. */
  final Map<String, Set<String>> addresses = bounded();
  final Map<String, Set<String>> clients = bounded();
  final Map<String, Integer> uses = bounded();
  /** Days this actor was active, and for each hour of the day the days it was active in it. */
  final Set<LocalDate> days = new HashSet<>();
  final int[] hourDays = new int[24];
  private final Set<Long> dayHours = new HashSet<>();
  /** When the credential may make its next request while throttled, and until when it is throttled. */
  Instant throttledUntil = Instant.MIN;
  Instant nextAllowed = Instant.MIN;
  /** When each detector last alerted about this actor (alerts are not repeated within a while). */
  final Map<String, Instant> lastAlert = new HashMap<>();
  final Map<String, Long> lastAlertId = new HashMap<>();
  /** Repeats of open alerts not yet counted in the database, and when each count was last written. */
  final Map<String, Long> repeats = new HashMap<>();
  final Map<String, Instant> repeatsWritten = new HashMap<>();

  @SuppressWarnings("unchecked")
  ActorState(String actor, String role, boolean machine) {
    this.actor = actor;
    this.role = role;
    this.machine = machine;
    opened = new DistinctWindow[OPEN_WINDOWS.length];
    for (int i = 0; i < OPEN_WINDOWS.length; i++) opened[i] = new DistinctWindow<>(OPEN_WINDOWS[i], CAP);
    listed = new DistinctWindow[LIST_WINDOWS.length];
    for (int i = 0; i < LIST_WINDOWS.length; i++) listed[i] = new DistinctWindow<>(LIST_WINDOWS[i], CAP);
    requests = new RateWindow[RATE_WINDOWS.length];
    for (int i = 0; i < RATE_WINDOWS.length; i++) requests[i] = new RateWindow(RATE_WINDOWS[i], CAP);
  }

  /** The credentials most recently used (a person signs in anew every day; old sessions are forgotten). */
  private static <V> Map<String, V> bounded() {
    return new java.util.LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > 64;
      }
    };
  }

  /** Forgets the windows (after a step-up: the person proved who they are). */
  void reset() {
    for (int i = 0; i < OPEN_WINDOWS.length; i++) opened[i] = new DistinctWindow<>(OPEN_WINDOWS[i], CAP);
    for (int i = 0; i < LIST_WINDOWS.length; i++) listed[i] = new DistinctWindow<>(LIST_WINDOWS[i], CAP);
    refused.clear();
    paged.clear();
  }

  /** Folds the highest counts of earlier days into the peaks once a new day (UTC) begins. */
  void rollPeaks(Instant at) {
    long day = Math.floorDiv(at.getEpochSecond(), 86_400);
    if (day == peakDay) return;
    if (peakDay != Long.MIN_VALUE) {
      fold(openPeak, openToday);
      fold(listPeak, listToday);
      fold(ratePeak, rateToday);
    }
    peakDay = day;
  }

  private static void fold(double[] peak, double[] today) {
    for (int i = 0; i < peak.length; i++) {
      peak[i] = Math.max(peak[i], today[i]);
      today[i] = 0;
    }
  }

  /**
   * What is worth keeping across a restart, as JSON: role, kind, peaks (today's folded in), the
   * last 60 active days, the hour profile, and for tokens the addresses and clients each credential
   * came from. Windows and throttles are not kept: they are about the last minutes.
   */
  com.google.gson.JsonObject toJson() {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("role", role);
    o.addProperty("machine", machine);
    o.add("open", array(openPeak, openToday));
    o.add("list", array(listPeak, listToday));
    o.add("rate", array(ratePeak, rateToday));
    com.google.gson.JsonArray d = new com.google.gson.JsonArray();
    days.stream().sorted().skip(Math.max(0, days.size() - 60)).forEach(x -> d.add(x.toString()));
    o.add("days", d);
    com.google.gson.JsonArray h = new com.google.gson.JsonArray();
    for (int x : hourDays) h.add(x);
    o.add("hours", h);
    if (machine) {
      o.add("addresses", sets(addresses));
      o.add("clients", sets(clients));
      com.google.gson.JsonObject u = new com.google.gson.JsonObject();
      uses.forEach(u::addProperty);
      o.add("uses", u);
    }
    return o;
  }

  /** An actor as {@link #toJson} kept it; throws IllegalArgumentException on anything else. */
  static ActorState fromJson(String actor, com.google.gson.JsonObject o) {
    try {
      ActorState s = new ActorState(actor, o.get("role").getAsString(), o.get("machine").getAsBoolean());
      read(o.getAsJsonArray("open"), s.openPeak);
      read(o.getAsJsonArray("list"), s.listPeak);
      read(o.getAsJsonArray("rate"), s.ratePeak);
      o.getAsJsonArray("days").forEach(x -> s.days.add(LocalDate.parse(x.getAsString())));
      com.google.gson.JsonArray h = o.getAsJsonArray("hours");
      for (int i = 0; i < 24 && i < h.size(); i++) s.hourDays[i] = h.get(i).getAsInt();
      if (s.machine && o.has("addresses")) {
        readSets(o.getAsJsonObject("addresses"), s.addresses);
        readSets(o.getAsJsonObject("clients"), s.clients);
        o.getAsJsonObject("uses").entrySet().forEach(e -> s.uses.put(e.getKey(), e.getValue().getAsInt()));
      }
      return s;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a watch profile: " + e.getMessage(), e);
    }
  }

  private static com.google.gson.JsonArray array(double[] peak, double[] today) {
    com.google.gson.JsonArray a = new com.google.gson.JsonArray();
    for (int i = 0; i < peak.length; i++) a.add(Math.max(peak[i], today[i]));
    return a;
  }

  private static void read(com.google.gson.JsonArray a, double[] into) {
    for (int i = 0; i < into.length && i < a.size(); i++) into[i] = a.get(i).getAsDouble();
  }

  private static com.google.gson.JsonObject sets(Map<String, Set<String>> m) {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    m.forEach((k, v) -> {
      com.google.gson.JsonArray a = new com.google.gson.JsonArray();
      v.forEach(a::add);
      o.add(k, a);
    });
    return o;
  }

  private static void readSets(com.google.gson.JsonObject o, Map<String, Set<String>> into) {
    o.entrySet().forEach(e -> {
      Set<String> v = new java.util.LinkedHashSet<>();
      e.getValue().getAsJsonArray().forEach(x -> v.add(x.getAsString()));
      into.put(e.getKey(), v);
    });
  }

  /** Days of history: the actor's own baseline counts from the third. */
  boolean mature() {
    return days.size() >= 3;
  }

  /** How many hours either side of an hour of the day still count as the actor's usual time. */
  static final int USUAL_SPAN = 3;

  /**
   * Notes activity at {@code at} for the hour profile; returns how many earlier day-hours were
   * active within {@value #USUAL_SPAN} hours of this hour of the day.
   */
  int noteHour(Instant at, ZoneId zone) {
    ZonedDateTime t = at.atZone(zone);
    int hour = t.getHour();
    int before = 0;
    for (int d = -USUAL_SPAN; d <= USUAL_SPAN; d++) before += hourDays[(hour + d + 24) % 24];
    days.add(t.toLocalDate());
    if (dayHours.add(t.toLocalDate().toEpochDay() * 24 + hour)) hourDays[hour]++;
    return before;
  }
}
