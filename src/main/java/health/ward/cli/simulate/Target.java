package health.ward.cli.simulate;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A detection target for one attack scenario: the recall it must reach and the bounds every run
 * must stay within (how soon the first alert, how soon the cut-off, how few records leaked).
 *
 * <p>A {@code null} bound does not apply. A run that was never cut off fails a cut-off bound; a run
 * without an alert fails a first-alert bound.
 *
 * @param scenario the scenario's name, as in {@link ScenarioRun#scenario()}
 * @param what the target as a sentence for people, e.g. "cut off within 1 s and ≤ 20 records"
 * @param maxCutOff latest acceptable cut-off, in simulated time from attack start; nullable
 * @param maxRecords most records the attacker may receive before the cut-off; nullable
 * @param maxFirstAlert latest acceptable first alert, in simulated time from attack start; nullable
 * @param minRecall least acceptable fraction of runs in which the attacker was detected, 0 to 1
 */
record Target(
    String scenario,
    String what,
    Duration maxCutOff,
    Integer maxRecords,
    Duration maxFirstAlert,
    double minRecall) {

  Target {
    requireNonNull(scenario, "scenario");
    requireNonNull(what, "what");
    if (what.isBlank()) throw new IllegalArgumentException("what must not be blank");
    ScenarioRun.requireNonNegative(maxCutOff, "maxCutOff");
    ScenarioRun.requireNonNegative(maxFirstAlert, "maxFirstAlert");
    if (maxRecords != null && maxRecords < 0) {
      throw new IllegalArgumentException("maxRecords must be >= 0, was " + maxRecords);
    }
    if (!(minRecall >= 0 && minRecall <= 1)) {
      throw new IllegalArgumentException("minRecall must be in [0, 1], was " + minRecall);
    }
  }

  /**
   * Whether the runs of this target's scenario meet it: a run succeeds when the attacker was
   * detected and the run keeps every bound; at least {@code minRecall} of the runs must succeed.
   * Runs of other scenarios are ignored; with no run of this scenario the target is not met, since
   * nothing shows it is.
   */
  boolean met(List<ScenarioRun> runs) {
    return shortfalls(runs).isEmpty();
  }

  /** Why one run does not succeed, one phrase per reason; empty when it does. */
  List<String> misses(ScenarioRun r) {
    List<String> why = new ArrayList<>();
    if (!r.detected()) why.add("no alert");
    if (maxFirstAlert != null && r.firstAlert() != null && r.firstAlert().compareTo(maxFirstAlert) > 0) {
      why.add("first alert after " + SimulationReport.simTime(r.firstAlert()));
    }
    if (maxCutOff != null) {
      if (!r.wasCutOff()) why.add("never cut off");
      else if (r.cutOff().compareTo(maxCutOff) > 0) why.add("cut off after " + SimulationReport.simTime(r.cutOff()));
    }
    if (maxRecords != null && r.recordsBeforeCutOff() > maxRecords) {
      why.add(String.format(Locale.ROOT, "%,d records before cut-off", r.recordsBeforeCutOff()));
    }
    return why;
  }

  /** Why the runs of this target's scenario miss it, one phrase per reason; empty when met. */
  List<String> shortfalls(List<ScenarioRun> runs) {
    List<ScenarioRun> mine = runs.stream().filter(r -> r.scenario().equals(scenario)).toList();
    List<String> why = new ArrayList<>();
    if (mine.isEmpty()) {
      why.add("no runs");
      return why;
    }
    long ok = mine.stream().filter(r -> misses(r).isEmpty()).count();
    double recall = (double) ok / mine.size();
    if (recall < minRecall) {
      why.add("runs meeting it " + percent(recall) + " < " + percent(minRecall));
      for (ScenarioRun r : mine) {
        List<String> m = misses(r);
        if (!m.isEmpty()) why.add("seed " + r.seed() + ": " + String.join(", ", m));
      }
    }
    return why;
  }

  /** A fraction as a percentage: whole numbers bare ("90%"), others to one decimal ("66.7%"). */
  static String percent(double fraction) {
    double p = fraction * 100;
    if (Math.abs(p - Math.rint(p)) < 1e-9) return String.format(Locale.ROOT, "%.0f%%", p);
    return String.format(Locale.ROOT, "%.1f%%", p);
  }
}
