package health.ward.cli.simulate;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one attack scenario under one seed: whether Ward's detectors caught the attacker,
 * how long that took in simulated time, and how much the attacker got away with first.
 *
 * @param scenario the scenario's name, e.g. {@code bulk-export}
 * @param seed the seed the run was generated from; the same seed repeats the run exactly
 * @param detected whether any detector alerted on the attacker
 * @param firstAlert simulated time from attack start to the first alert; {@code null} if none
 * @param cutOff simulated time from attack start to the first request Ward refused because of a
 *     detector response; {@code null} if the attacker was never cut off
 * @param recordsBeforeCutOff resources returned to the attacker before the cut-off (all of them if
 *     never cut off)
 * @param detectors names of the detectors that alerted on the attacker, in the order they alerted
 */
record ScenarioRun(
    String scenario,
    long seed,
    boolean detected,
    Duration firstAlert,
    Duration cutOff,
    int recordsBeforeCutOff,
    List<String> detectors) {

  ScenarioRun {
    requireNonNull(scenario, "scenario");
    requireNonNegative(firstAlert, "firstAlert");
    requireNonNegative(cutOff, "cutOff");
    if (recordsBeforeCutOff < 0) {
      throw new IllegalArgumentException(
          "recordsBeforeCutOff must be >= 0, was " + recordsBeforeCutOff);
    }
    detectors = List.copyOf(requireNonNull(detectors, "detectors"));
  }

  /** Whether Ward refused the attacker at some point because of a detector response. */
  boolean wasCutOff() {
    return cutOff != null;
  }

  static void requireNonNegative(Duration d, String name) {
    if (d != null && d.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + d);
    }
  }
}
