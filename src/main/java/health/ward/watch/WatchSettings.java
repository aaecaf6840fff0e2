package health.ward.watch;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;

/**
 * How the watch responds and what it compares against.
 *
 * @param responses per detector, the response that replaces its own (e.g. {@code off-hours=off},
 *     {@code new-address=alert}); detectors not named keep theirs
 * @param zone the hospital's time zone, for working hours
 * @param encounterWindow how long after an encounter a patient is still in someone's care
 * @param repeat how long a second finding of a detector about the same actor and patient adds to
 *     the first alert instead of raising a new one
 */
public record WatchSettings(Map<String, Response> responses, ZoneId zone, Duration encounterWindow, Duration repeat) {
  /** Every detector name a response may be set for. */
  public static final java.util.List<String> DETECTORS = java.util.List.of(
      CanaryRecords.NAME, BulkAccess.NAME, SearchEnumeration.NAME, RequestVelocity.NAME, RefusedAccess.NAME,
      OffHours.NAME, NewAddress.NAME, "vip", "co-worker", "family", "own-record", "deceased", BreakGlassAbuse.NAME);

  public WatchSettings {
    responses = Map.copyOf(responses);
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(encounterWindow, "encounterWindow");
    Objects.requireNonNull(repeat, "repeat");
    for (String d : responses.keySet()) {
      if (!DETECTORS.contains(d)) throw new IllegalArgumentException("unknown detector '" + d + "' (" + String.join(", ", DETECTORS) + ")");
    }
  }

  public static WatchSettings defaults(ZoneId zone) {
    return new WatchSettings(Map.of(), zone, Duration.ofDays(30), Duration.ofMinutes(30));
  }

  public WatchSettings withResponses(Map<String, Response> r) {
    return new WatchSettings(r, zone, encounterWindow, repeat);
  }

  public WatchSettings withEncounterWindow(Duration w) {
    return new WatchSettings(responses, zone, w, repeat);
  }
}
