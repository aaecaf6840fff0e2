package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.common.Pseudonym;
import java.util.List;

/**
 * Access without a care relationship: records the policy refused because no care relationship (or
 * the patient's consent) allowed them. Three different patients within 10 minutes is an alert;
 * eight is probing, and the person must step up.
 */
final class RefusedAccess implements InlineDetector {
  static final String NAME = "no-care-relationship";
  static final int ALERT = 3;
  static final int STEP_UP = 8;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void inspect(Principal who, AccessEvent e, ActorState s, List<Finding> out) {
    if (!Events.unrelated(e)) return;
    int count = 0;
    for (Pseudonym p : Events.patients(e)) count = s.refused.see(p, e.at());
    if (count < ALERT) return;
    boolean probing = count >= STEP_UP;
    out.add(new Finding(NAME, probing ? Severity.HIGH : Severity.MEDIUM, probing ? Response.STEP_UP : Response.ALERT, null,
        Events.who(e) + " was refused the records of " + count + " different patients in 10 min for want of a care"
            + " relationship or against their consent" + (probing ? " (probing)" : "")));
  }
}
