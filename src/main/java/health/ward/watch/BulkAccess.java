package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.common.Pseudonym;
import java.util.List;

/**
 * Bulk access: how many different patients' records an actor opened in sliding windows of 10 s,
 * 1 min, 10 min, 1 h and 8 h, against a limit that is the larger of a floor and twice (three times
 * for machines) the actor's own peak and its role's median peak. Above the limit a person must step
 * up (a machine is throttled); above twice the limit the session is revoked and the account locked.
 * Counts within the limit teach the actor's own peak; counts above it do not.
 */
final class BulkAccess implements InlineDetector {
  static final String NAME = "bulk-access";
  private final Baselines baselines;

  BulkAccess(Baselines baselines) {
    this.baselines = baselines;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void inspect(Principal who, AccessEvent e, ActorState s, List<Finding> out) {
    if (e.outcome() != AccessEvent.Outcome.ALLOWED) return;
    List<Pseudonym> patients = Events.patients(e);
    if (patients.isEmpty() || Events.listing(e, patients)) return;
    Finding worst = null;
    for (int i = 0; i < ActorState.OPEN_WINDOWS.length; i++) {
      int count = 0;
      for (Pseudonym p : patients) count = s.opened[i].see(p, e.at());
      int limit = baselines.exceeded(s, Baselines.Metric.OPEN, i, count, e.at());
      if (limit == 0) continue;
      boolean far = count > 2 * limit;
      if (worst != null && !far) continue;
      String window = Events.window(ActorState.OPEN_WINDOWS[i]);
      String text = Events.who(e) + " opened " + count + " different patients' records in " + window + "; the limit for this account is "
          + limit + " (floor " + Baselines.floors(Baselines.Metric.OPEN, s.machine)[i] + ", own peak "
          + (s.mature() ? Math.round(s.openPeak[i]) : "not yet learned") + ", " + s.role + " median peak "
          + Math.round(baselines.rolePeak(s.role, Baselines.Metric.OPEN, i)) + ")";
      Response r = far ? Response.REVOKE : s.machine ? Response.THROTTLE : Response.STEP_UP;
      worst = new Finding(NAME, far ? Severity.CRITICAL : Severity.HIGH, r, null, text);
      if (far) break;
    }
    if (worst != null) out.add(worst);
  }
}
