package health.ward.cli.simulate;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of the benign clinical workload under one seed: how much ordinary work the simulated
 * staff did and how often a detector mistook it for an attack.
 *
 * @param seed the seed the workload was generated from
 * @param clinicianDays simulated working days summed over all simulated clinicians
 * @param requests requests the simulated staff sent to Ward
 * @param falseAlerts alerts raised on benign staff
 * @param falseAlertsByDetector false alerts per detector name (iterated in name order)
 */
record BenignRun(
    long seed,
    double clinicianDays,
    long requests,
    int falseAlerts,
    Map<String, Integer> falseAlertsByDetector) {

  BenignRun {
    if (!(clinicianDays >= 0) || Double.isInfinite(clinicianDays)) {
      throw new IllegalArgumentException(
          "clinicianDays must be finite and >= 0, was " + clinicianDays);
    }
    if (requests < 0) throw new IllegalArgumentException("requests must be >= 0, was " + requests);
    if (falseAlerts < 0) {
      throw new IllegalArgumentException("falseAlerts must be >= 0, was " + falseAlerts);
    }
    requireNonNull(falseAlertsByDetector, "falseAlertsByDetector");
    TreeMap<String, Integer> copy = new TreeMap<>();
    falseAlertsByDetector.forEach(
        (detector, n) -> {
          requireNonNull(detector, "detector name");
          requireNonNull(n, "false alerts of " + detector);
          if (n < 0) {
            throw new IllegalArgumentException(
                "false alerts of " + detector + " must be >= 0, was " + n);
          }
          copy.put(detector, n);
        });
    falseAlertsByDetector = Collections.unmodifiableMap(copy);
  }
}
