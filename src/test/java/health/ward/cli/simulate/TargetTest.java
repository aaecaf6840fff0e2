package health.ward.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetTest {
  static ScenarioRun caught(long seed, long cutOffMillis, int records) {
    return new ScenarioRun(
        "bulk-export",
        seed,
        true,
        Duration.ofMillis(cutOffMillis / 2),
        Duration.ofMillis(cutOffMillis),
        records,
        List.of("bulk-read"));
  }

  static ScenarioRun missed(long seed, int records) {
    return new ScenarioRun("bulk-export", seed, false, null, null, records, List.of());
  }

  static Target cutOffWithin(Duration d, Integer records, double recall) {
    return new Target(
        "bulk-export",
        "cut off within " + d + " and ≤ " + records + " records",
        d,
        records,
        null,
        recall);
  }

  @Test
  void met_allRunsWithinBounds_isMet() {
    Target t = cutOffWithin(Duration.ofSeconds(1), 20, 1.0);
    assertTrue(t.met(List.of(caught(1, 300, 5), caught(2, 1_000, 20))));
  }

  @Test
  void met_runNeverCutOff_failsCutOffBound_evenWithFewRecords() {
    Target t = cutOffWithin(Duration.ofSeconds(1), 20, 1.0);
    ScenarioRun alertedButNeverCut =
        new ScenarioRun(
            "bulk-export", 2, true, Duration.ofMillis(100), null, 3, List.of("bulk-read"));
    assertFalse(t.met(List.of(caught(1, 300, 5), alertedButNeverCut)));
    assertEquals(
        List.of("runs meeting it 50% < 100%", "seed 2: never cut off"),
        t.shortfalls(List.of(caught(1, 300, 5), alertedButNeverCut)));
  }

  @Test
  void met_recordsBound_countsEveryRecordOfARunNeverCutOff() {
    Target t = new Target("bulk-export", "≤ 20 records", null, 20, null, 1.0);
    ScenarioRun alerted = new ScenarioRun("bulk-export", 1, true, Duration.ZERO, null, 20, List.of("x"));
    assertTrue(t.met(List.of(alerted)));
    assertFalse(t.met(List.of(new ScenarioRun("bulk-export", 1, true, Duration.ZERO, null, 21, List.of("x")))));
    assertFalse(t.met(List.of(missed(1, 0))), "a run without an alert never meets a target");
  }

  @Test
  void met_runWithoutAlert_orLaterThanTheBound_missesTheTarget() {
    Target t =
        new Target("bulk-export", "alert within 1 s", null, null, Duration.ofSeconds(1), 1.0);
    assertTrue(t.met(List.of(caught(1, 2_000, 5))));
    assertFalse(t.met(List.of(caught(1, 2_000, 5), missed(2, 5))));
    assertEquals(
        List.of("runs meeting it 0% < 100%", "seed 1: first alert after 2 s"),
        t.shortfalls(List.of(caught(1, 4_000, 5))));
  }

  @Test
  void met_cutOffLaterThanBound_fails() {
    Target t = cutOffWithin(Duration.ofSeconds(1), null, 1.0);
    assertFalse(t.met(List.of(caught(1, 1_001, 5))));
    assertTrue(t.met(List.of(caught(1, 1_000, 5))));
  }

  @Test
  void met_theShareOfRunsMeetingItIsWhatTheRecallBounds() {
    Target half = new Target("bulk-export", "detected in half the runs", null, null, null, 0.5);
    assertTrue(half.met(List.of(caught(1, 100, 1), missed(2, 50))));
    assertFalse(half.met(List.of(caught(1, 100, 1), missed(2, 50), missed(3, 50))));
    Target twoThirds = new Target("bulk-export", "detected in 2 of 3", null, null, null, 2.0 / 3);
    assertTrue(twoThirds.met(List.of(caught(1, 100, 1), caught(2, 100, 1), missed(3, 50))));
    assertEquals(
        List.of("runs meeting it 33.3% < 50%", "seed 2: no alert", "seed 3: no alert"),
        half.shortfalls(List.of(caught(1, 100, 1), missed(2, 50), missed(3, 50))));
    Target fast = new Target("bulk-export", "95 % within 1 min", null, null, Duration.ofMinutes(1), 0.5);
    assertTrue(fast.met(List.of(caught(1, 100, 1), caught(2, 600_000, 1))), "one late run of two is within 50 %");
  }

  @Test
  void met_noRunsOfItsScenario_isNotMet_otherScenariosIgnored() {
    Target t = new Target("bulk-export", "detected", null, null, null, 0.0);
    assertFalse(t.met(List.of()));
    ScenarioRun other =
        new ScenarioRun("snoop", 1, true, Duration.ZERO, Duration.ZERO, 0, List.of("x"));
    assertFalse(t.met(List.of(other)));
    Target strict = new Target("bulk-export", "detected always", null, null, null, 1.0);
    assertTrue(
        strict.met(
            List.of(
                caught(1, 100, 1), new ScenarioRun("snoop", 1, false, null, null, 9, List.of()))));
  }

  @Test
  void target_rejectsRecallOutsideZeroToOne_andNegativeBounds() {
    assertThrows(IllegalArgumentException.class, () -> new Target("s", "w", null, null, null, 1.5));
    assertThrows(
        IllegalArgumentException.class, () -> new Target("s", "w", null, null, null, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new Target("s", "w", null, -1, null, 0.5));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Target("s", "w", Duration.ofSeconds(-1), null, null, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new Target("s", " ", null, null, null, 0.5));
  }

  @Test
  void scenarioRun_validatesAndCopiesDetectors() {
    assertThrows(
        NullPointerException.class,
        () -> new ScenarioRun(null, 1, false, null, null, 0, List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ScenarioRun("s", 1, false, null, null, -1, List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ScenarioRun("s", 1, true, Duration.ofSeconds(-1), null, 0, List.of("d")));
    List<String> detectors = new ArrayList<>(List.of("bulk-read"));
    ScenarioRun r = new ScenarioRun("s", 1, true, Duration.ZERO, null, 0, detectors);
    detectors.add("velocity");
    assertEquals(List.of("bulk-read"), r.detectors());
    assertThrows(UnsupportedOperationException.class, () -> r.detectors().add("x"));
  }

  @Test
  void benignRun_validatesCounts() {
    assertThrows(
        IllegalArgumentException.class, () -> new BenignRun(1, -1, 0, 0, java.util.Map.of()));
    assertThrows(
        IllegalArgumentException.class, () -> new BenignRun(1, 1, 0, -1, java.util.Map.of()));
    assertThrows(
        IllegalArgumentException.class, () -> new BenignRun(1, 1, 0, 0, java.util.Map.of("d", -1)));
  }
}
