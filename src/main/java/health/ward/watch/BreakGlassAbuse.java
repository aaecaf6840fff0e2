package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.common.Pseudonym;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Break-the-glass abuse, checked behind each grant: a grant for a patient with no encounter in
 * progress anywhere in the hospital (no emergency on record), or a clinician's
 * {@value #PER_DAY}th grant within 24 hours.
 */
final class BreakGlassAbuse implements BehindDetector {
  static final String NAME = "break-glass-abuse";
  static final int PER_DAY = 3;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void inspect(Principal who, AccessEvent e, Subjects subjects, List<Finding> out) {
    if (!e.interaction().equals("break-glass") || e.outcome() != AccessEvent.Outcome.ALLOWED) return;
    List<Pseudonym> patients = Events.patients(e);
    if (patients.isEmpty()) return;
    Pseudonym p = patients.get(0);
    Set<String> context = subjects.careContext(p, e.at());
    if (!context.contains("admitted")) {
      out.add(new Finding(NAME, Severity.HIGH, Response.ALERT, p,
          Events.who(e) + " broke the glass for a patient with no encounter in progress anywhere in the hospital"
              + " (no emergency on record" + (context.isEmpty() ? ", and nobody caring for them" : "") + ")"));
      return;
    }
    int grants = subjects.breakGlassSince(e.actorId(), e.at().minus(Duration.ofHours(24)));
    if (grants >= PER_DAY) {
      out.add(new Finding(NAME, Severity.HIGH, Response.ALERT, p,
          Events.who(e) + " broke the glass " + grants + " times in 24 hours"));
    }
  }
}
