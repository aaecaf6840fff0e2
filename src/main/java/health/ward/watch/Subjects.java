package health.ward.watch;

import health.ward.common.Pseudonym;
import health.ward.store.PersonMarker;
import health.ward.store.PostgresCareStore;
import health.ward.store.PostgresPersonMarkers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the watch knows of the people in an access, for the detectors behind the response: the
 * patient's person markers, flags and care context, the acting staff member's markers (from their
 * Practitioner), and the markers of every staff member. Used only on the watch's own thread; staff
 * markers are cached for five minutes.
 */
final class Subjects {
  static final Duration STAFF_TTL = Duration.ofMinutes(5);

  /** The blind markers of one person, grouped by kind. */
  record Markers(Map<String, Set<ByteBuffer>> byKind, Instant died, boolean deceased) {
    static final Markers NONE = new Markers(Map.of(), null, false);

    Set<ByteBuffer> of(String kind) {
      return byKind.getOrDefault(kind, Set.of());
    }

    boolean shares(String kind, Markers other) {
      for (ByteBuffer t : of(kind)) {
        if (other.of(kind).contains(t)) return true;
      }
      return false;
    }

    static Markers of(List<PersonMarker> list) {
      Map<String, Set<ByteBuffer>> byKind = new HashMap<>();
      Instant died = null;
      boolean deceased = false;
      for (PersonMarker m : list) {
        if (m.kind().equals(PersonMarker.DECEASED)) {
          deceased = true;
          died = m.at();
        } else {
          byKind.computeIfAbsent(m.kind(), k -> new HashSet<>()).add(ByteBuffer.wrap(m.token()));
        }
      }
      return new Markers(byKind, died, deceased);
    }
  }

  private final PostgresPersonMarkers markers;
  private final PostgresCareStore care;
  private final WatchFlags flags;
  private final Supplier<List<String>> staffPractitioners;
  private final Duration encounterWindow;
  private final java.util.function.Function<String, byte[]> labelToken;
  private final Map<String, Markers> actors = new HashMap<>();
  private Set<ByteBuffer> staff = Set.of();
  private Instant staffLoaded = Instant.MIN;

  Subjects(
      PostgresPersonMarkers markers, PostgresCareStore care, WatchFlags flags, Supplier<List<String>> staffPractitioners,
      Duration encounterWindow, java.util.function.Function<String, byte[]> labelToken) {
    this.markers = Objects.requireNonNull(markers, "markers");
    this.care = Objects.requireNonNull(care, "care");
    this.flags = Objects.requireNonNull(flags, "flags");
    this.staffPractitioners = Objects.requireNonNull(staffPractitioners, "staffPractitioners");
    this.encounterWindow = Objects.requireNonNull(encounterWindow, "encounterWindow");
    this.labelToken = Objects.requireNonNull(labelToken, "labelToken");
  }

  Markers patient(Pseudonym patient) {
    return Markers.of(markers.ofPatient(patient));
  }

  /** The markers of a staff member's Practitioner ({@code Practitioner/123}); none without one. */
  Markers actor(String practitioner, Instant now) {
    if (practitioner == null || !practitioner.startsWith("Practitioner/")) return Markers.NONE;
    refreshStaff(now);
    return actors.computeIfAbsent(practitioner,
        p -> Markers.of(markers.of("Practitioner", p.substring("Practitioner/".length()))));
  }

  /** The person tokens (name and birth date) of every staff member with a Practitioner. */
  Set<ByteBuffer> staffPeople(Instant now) {
    refreshStaff(now);
    return staff;
  }

  boolean flagged(Pseudonym patient, String flag) {
    return flags.has(patient, flag);
  }

  boolean labelled(Markers m, String code) {
    return m.of(PersonMarker.LABEL).contains(ByteBuffer.wrap(labelToken.apply(code)));
  }

  /** The care facts that hold for the patient now with anyone ({@code admitted}, {@code encounter}, {@code care-team}). */
  Set<String> careContext(Pseudonym patient, Instant now) {
    return care.careContext(patient, now, now.minus(encounterWindow));
  }

  int breakGlassSince(String actor, Instant since) {
    return care.grantsSince(actor, since);
  }

  private void refreshStaff(Instant now) {
    if (!staffLoaded.equals(Instant.MIN) && Duration.between(staffLoaded, now).abs().compareTo(STAFF_TTL) < 0) return;
    staffLoaded = now;
    actors.clear();
    List<String> ids = staffPractitioners.get().stream()
        .filter(p -> p != null && p.startsWith("Practitioner/"))
        .map(p -> p.substring("Practitioner/".length()))
        .toList();
    Set<ByteBuffer> people = new HashSet<>();
    for (PersonMarker m : ids.isEmpty() ? List.<PersonMarker>of() : markers.of("Practitioner", ids)) {
      if (m.kind().equals(PersonMarker.PERSON)) people.add(ByteBuffer.wrap(m.token()));
    }
    staff = Set.copyOf(people);
  }
}
