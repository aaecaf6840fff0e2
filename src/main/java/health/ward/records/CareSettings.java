package health.ward.records;

import java.time.Duration;
import java.util.Objects;

/**
 * How long care relationships and emergency access last.
 *
 * @param encounterWindow how long after an encounter ends its participants keep access
 * @param emergencyAccess how long a break-the-glass grant lasts
 */
public record CareSettings(Duration encounterWindow, Duration emergencyAccess) {
  public static final CareSettings DEFAULT = new CareSettings(Duration.ofDays(30), Duration.ofHours(8));

  public CareSettings {
    Objects.requireNonNull(encounterWindow, "encounterWindow");
    Objects.requireNonNull(emergencyAccess, "emergencyAccess");
    if (encounterWindow.isNegative()) throw new IllegalArgumentException("the encounter window must not be negative");
    if (emergencyAccess.isNegative() || emergencyAccess.isZero() || emergencyAccess.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException("emergency access lasts more than 0 and at most 7 days");
    }
  }
}
