package health.ward.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.access.Scopes;
import health.ward.audit.AccessEvent;
import health.ward.audit.AccessEvent.Outcome;
import health.ward.audit.Touch;
import health.ward.common.Pseudonym;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each inline detector on hand-made access events, with a moving clock. */
class DetectorsTest {
  static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
  static final Principal NURSE = new Principal("user:1", "nina", Principal.Kind.USER, Role.NURSE, Scopes.ALL, "Practitioner/n1", List.of(), "session:1");
  static final Principal FEED = new Principal("7", "lab-feed", Principal.Kind.API_TOKEN, Role.INTEGRATION);

  static Pseudonym patient(int n) {
    byte[] b = new byte[Pseudonym.LENGTH];
    b[0] = (byte) (n >> 8);
    b[1] = (byte) n;
    b[2] = 42;
    return Pseudonym.of(b);
  }

  static AccessEvent event(Principal who, Instant at, String interaction, String shape, Outcome outcome, String rule,
      String address, int... patients) {
    List<Touch> touched = new ArrayList<>();
    for (int p : patients) touched.add(new Touch(patient(p), "Patient", "p" + p));
    return new AccessEvent(at, who.id(), who.name(), who.role().code(), who.session() != null ? who.session() : "token:" + who.id(),
        interaction, "Patient", shape, touched, outcome, rule, false, "TREAT", address, "browser");
  }

  static AccessEvent read(Principal who, Instant at, int patient) {
    return event(who, at, "read", "", Outcome.ALLOWED, "registration", "10.0.0.1", patient);
  }

  static ActorState state(Principal who) {
    return new ActorState(who.id(), who.role().code(), who.kind() != Principal.Kind.USER);
  }

  @Test
  void distinctWindow_agreesWithANaiveCount() {
    Random r = new Random(7);
    DistinctWindow<Integer> w = new DistinctWindow<>(Duration.ofSeconds(30), 1_000_000);
    Map<Integer, Instant> seen = new HashMap<>();
    Instant t = T0;
    for (int i = 0; i < 5_000; i++) {
      t = t.plusMillis(r.nextInt(3_000));
      int key = r.nextInt(60);
      seen.put(key, t);
      Instant from = t.minusSeconds(30);
      long naive = seen.values().stream().filter(v -> !v.isBefore(from)).count();
      assertEquals(naive, w.see(key, t), "at step " + i);
    }
  }

  @Test
  void bulkAccess_aPersonOverTheFloorInTenSeconds_mustStepUp_andFarOverIsRevoked() {
    BulkAccess d = new BulkAccess(new Baselines());
    ActorState s = state(NURSE);
    List<Finding> out = new ArrayList<>();
    for (int i = 1; i <= 4; i++) d.inspect(NURSE, read(NURSE, T0.plusMillis(100L * i), i), s, out);
    assertEquals(List.of(), out, "four patients in 10 s is within the floor");
    d.inspect(NURSE, read(NURSE, T0.plusMillis(500), 5), s, out);
    assertEquals(1, out.size());
    assertEquals(Response.STEP_UP, out.get(0).response());
    assertEquals(Severity.HIGH, out.get(0).severity());
    assertTrue(out.get(0).explanation().contains("5 different patients' records in 10 s"), out.get(0).explanation());
    out.clear();
    for (int i = 6; i <= 9; i++) d.inspect(NURSE, read(NURSE, T0.plusMillis(100L * i), i), s, out);
    assertEquals(Response.REVOKE, out.get(out.size() - 1).response(), "more than twice the limit");
    assertEquals(Severity.CRITICAL, out.get(out.size() - 1).severity());
  }

  @Test
  void bulkAccess_theSamePatientAgain_isNotBulk_andASlowDripIsCaughtByALongerWindow() {
    BulkAccess d = new BulkAccess(new Baselines());
    ActorState s = state(NURSE);
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < 50; i++) d.inspect(NURSE, read(NURSE, T0.plusMillis(50L * i), 1), s, out);
    assertEquals(List.of(), out);
    for (int i = 0; i < 9; i++) d.inspect(NURSE, read(NURSE, T0.plusSeconds(60 + 4L * i), 100 + i), s, out);
    assertEquals(1, out.size(), "9 patients in a minute, never more than 3 within 10 s");
    assertTrue(out.get(0).explanation().contains("in 1 min"), out.get(0).explanation());
  }

  @Test
  void bulkAccess_limitsRiseWithTheActorsOwnPeakAndTheirRoles() {
    Baselines b = new Baselines();
    ActorState heavy = state(NURSE);
    for (int day = 0; day < 3; day++) heavy.noteHour(T0.plus(Duration.ofDays(day)), ZoneOffset.UTC);
    heavy.openPeak[0] = 4;
    assertEquals(8, b.limit(heavy, Baselines.Metric.OPEN, 0), "twice the own peak of 4");
    ActorState fresh = state(NURSE);
    assertEquals(4, b.limit(fresh, Baselines.Metric.OPEN, 0), "the floor until the role has history");
    b.refresh(List.of(heavy, fresh), T0);
    assertEquals(8, b.limit(fresh, Baselines.Metric.OPEN, 0), "then twice the role's median peak");
    ActorState feed = state(FEED);
    assertEquals(100, b.limit(feed, Baselines.Metric.OPEN, 0), "machines have their own floors");
  }

  @Test
  void bulkAccess_aBurstCannotRaiseItsOwnLimit_butAnOrdinaryDayIsLearnedTheNextDay() {
    BulkAccess d = new BulkAccess(new Baselines());
    ActorState s = state(NURSE);
    for (int day = 0; day < 3; day++) s.noteHour(T0.plus(Duration.ofDays(day)), ZoneOffset.UTC);
    List<Finding> out = new ArrayList<>();
    Instant day1 = T0.plus(Duration.ofDays(3));
    for (int i = 1; i <= 3; i++) d.inspect(NURSE, read(NURSE, day1.plusSeconds(i), i), s, out);
    assertEquals(List.of(), out, "three patients in 10 s: within the floor of 4");
    Instant day2 = day1.plus(Duration.ofDays(1));
    for (int i = 1; i <= 6; i++) d.inspect(NURSE, read(NURSE, day2.plusMillis(100L * i), 100 + i), s, out);
    assertEquals(List.of(), out, "yesterday's peak of 3 makes today's limit 6");
    d.inspect(NURSE, read(NURSE, day2.plusMillis(700), 107), s, out);
    assertEquals(1, out.size(), "and today's burst of 6 did not raise it to 12: the 7th patient is over");
    assertTrue(out.get(0).explanation().contains("limit for this account is 6"), out.get(0).explanation());
  }

  @Test
  void searchEnumeration_pagingTwiceInAMinute_orListingMoreThanTheLimit() {
    SearchEnumeration d = new SearchEnumeration(new Baselines());
    ActorState s = state(NURSE);
    List<Finding> out = new ArrayList<>();
    int[] page = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    d.inspect(NURSE, event(NURSE, T0, "search-type", "_count", Outcome.ALLOWED, "registration", "a", page), s, out);
    d.inspect(NURSE, event(NURSE, T0.plusSeconds(1), "search-type", "_count,_offset", Outcome.ALLOWED, "registration", "a", page), s, out);
    assertEquals(List.of(), out, "a first page and one more are ordinary");
    d.inspect(NURSE, event(NURSE, T0.plusSeconds(2), "search-type", "_count,_offset", Outcome.ALLOWED, "registration", "a", page), s, out);
    assertEquals(1, out.size());
    assertEquals(Response.STEP_UP, out.get(0).response());

    ActorState other = state(NURSE);
    out.clear();
    int[] many = new int[61];
    for (int i = 0; i < many.length; i++) many[i] = 500 + i;
    d.inspect(NURSE, event(NURSE, T0, "search-type", "name", Outcome.ALLOWED, "registration", "a", many), other, out);
    assertEquals(1, out.size(), "61 patients listed in a minute, over the floor of 60");
    assertTrue(out.get(0).explanation().contains("61 different patients"), out.get(0).explanation());
    assertTrue(Events.unfiltered(event(NURSE, T0, "search-type", "_count,_offset", Outcome.ALLOWED, "r", "a")));
    assertTrue(!Events.unfiltered(event(NURSE, T0, "search-type", "_count,family", Outcome.ALLOWED, "r", "a")));
  }

  @Test
  void requestVelocity_throttlesAboveTheLimit() {
    RequestVelocity d = new RequestVelocity(new Baselines());
    ActorState s = state(NURSE);
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < 25; i++) d.inspect(NURSE, read(NURSE, T0.plusMillis(300L * i), 1), s, out);
    assertEquals(List.of(), out);
    d.inspect(NURSE, read(NURSE, T0.plusMillis(7_600), 1), s, out);
    assertEquals(Response.THROTTLE, out.get(0).response());
  }

  @Test
  void refusedAccess_threePatientsIsAnAlert_eightIsProbing() {
    RefusedAccess d = new RefusedAccess();
    ActorState s = state(NURSE);
    List<Finding> out = new ArrayList<>();
    for (int i = 1; i <= 2; i++) d.inspect(NURSE, event(NURSE, T0.plusSeconds(i), "read", "", Outcome.DENIED, "no-care-relationship", "a", i), s, out);
    d.inspect(NURSE, event(NURSE, T0.plusSeconds(3), "read", "", Outcome.DENIED, "nurse-no-delete", "a", 3), s, out);
    assertEquals(List.of(), out, "refusals for other reasons do not count");
    d.inspect(NURSE, event(NURSE, T0.plusSeconds(4), "read", "", Outcome.DENIED, "consent", "a", 4), s, out);
    assertEquals(Response.ALERT, out.get(0).response());
    for (int i = 5; i <= 10; i++) d.inspect(NURSE, event(NURSE, T0.plusSeconds(i), "read", "", Outcome.DENIED, "no-care-relationship", "a", i), s, out);
    assertEquals(Response.STEP_UP, out.get(out.size() - 1).response());
  }

  @Test
  void offHours_anHourNeverWorkedInFiveDays_isAnAlert() {
    OffHours d = new OffHours(ZoneOffset.UTC);
    ActorState s = state(NURSE);
    List<Finding> out = new ArrayList<>();
    for (int day = 0; day < 5; day++) {
      Instant morning = LocalDate.of(2026, 3, 2 + day).atTime(9, 30).toInstant(ZoneOffset.UTC);
      for (int h = 0; h < 8; h++) d.inspect(NURSE, read(NURSE, morning.plus(Duration.ofHours(h)), 1), s, out);
    }
    assertEquals(List.of(), out, "a routine is learned, not alerted on");
    d.inspect(NURSE, read(NURSE, LocalDate.of(2026, 3, 7).atTime(10, 0).toInstant(ZoneOffset.UTC), 1), s, out);
    d.inspect(NURSE, read(NURSE, LocalDate.of(2026, 3, 7).atTime(19, 40).toInstant(ZoneOffset.UTC), 1), s, out);
    assertEquals(List.of(), out, "a usual hour on the sixth day, and an evening within three hours of the usual ones");
    d.inspect(NURSE, read(NURSE, LocalDate.of(2026, 3, 7).atTime(3, 12).toInstant(ZoneOffset.UTC), 1), s, out);
    assertEquals(1, out.size());
    assertEquals(Severity.LOW, out.get(0).severity());
    assertTrue(out.get(0).explanation().contains("03:12"), out.get(0).explanation());
  }

  @Test
  void newAddress_aSessionMovingMustStepUp_aTokenIsRevokedOnceItsHabitsAreKnown() {
    NewAddress d = new NewAddress();
    ActorState s = state(NURSE);
    List<Finding> out = new ArrayList<>();
    d.inspect(NURSE, event(NURSE, T0, "read", "", Outcome.ALLOWED, "care-team", "10.0.0.1", 1), s, out);
    d.inspect(NURSE, event(NURSE, T0.plusSeconds(1), "read", "", Outcome.ALLOWED, "care-team", "10.0.0.1", 1), s, out);
    assertEquals(List.of(), out);
    d.inspect(NURSE, event(NURSE, T0.plusSeconds(2), "read", "", Outcome.ALLOWED, "care-team", "203.0.113.9", 1), s, out);
    assertEquals(Response.STEP_UP, out.get(0).response());

    ActorState feed = state(FEED);
    out.clear();
    for (int i = 0; i < 10; i++) d.inspect(FEED, event(FEED, T0.plusSeconds(i), "create", "", Outcome.ALLOWED, "api-token", i % 2 == 0 ? "10.1.0.1" : "10.1.0.2", 1), feed, out);
    assertEquals(List.of(), out, "a young token's addresses are still being learned");
    for (int i = 10; i < 30; i++) d.inspect(FEED, event(FEED, T0.plusSeconds(i), "create", "", Outcome.ALLOWED, "api-token", "10.1.0.1", 1), feed, out);
    d.inspect(FEED, event(FEED, T0.plusSeconds(40), "search-type", "name", Outcome.ALLOWED, "api-token", "198.51.100.7", 1), feed, out);
    assertEquals(1, out.size());
    assertEquals(Response.REVOKE, out.get(0).response());
    assertTrue(out.get(0).explanation().contains("only from 10.1.0.1, 10.1.0.2"), out.get(0).explanation());
  }
}
