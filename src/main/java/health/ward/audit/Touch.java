package health.ward.audit;

import health.ward.common.Pseudonym;
import java.util.Objects;

/**
 * One resource an access touched, as the records service knows it. The ledger keeps only a keyed
 * pseudonym of the reference and, sealed under the patient's key, the reference itself.
 *
 * @param patient the pseudonym of the patient it belongs to, or {@code null} for resources of no patient
 * @param id the resource's logical id
 */
public record Touch(Pseudonym patient, String resourceType, String id) {
  public Touch {
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(id, "id");
  }

  /** {@code Type/id}. */
  public String reference() {
    return resourceType + "/" + id;
  }
}
