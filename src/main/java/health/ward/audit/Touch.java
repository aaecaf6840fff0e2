package health.ward.audit;

import health.ward.common.Pseudonym;
import java.util.Objects;

/**
 * One resource an access touched, pseudonymised.
 *
 * @param patient the patient it belongs to, or {@code null} for resources of no patient
 * @param resource keyed pseudonym of "type/id"
 */
public record Touch(Pseudonym patient, String resourceType, Pseudonym resource) {
  public Touch {
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(resource, "resource");
  }
}
