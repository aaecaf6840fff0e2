package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.common.Pseudonym;
import java.util.List;

/**
 * Canary records: honeytoken patients no legitimate workflow touches. Any access to one, even a
 * refused one, by anyone but the host operator, revokes the session and locks the account, before
 * the response.
 */
final class CanaryRecords implements InlineDetector {
  static final String NAME = "canary";
  private final WatchFlags flags;

  CanaryRecords(WatchFlags flags) {
    this.flags = flags;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void inspect(Principal who, AccessEvent e, ActorState s, List<Finding> out) {
    for (Pseudonym p : Events.patients(e)) {
      if (flags.has(p, "canary")) {
        out.add(new Finding(NAME, Severity.CRITICAL, Response.REVOKE, p,
            Events.who(e) + " " + Events.verb(e) + " a canary record (" + e.interaction() + " " + e.resourceType()
                + "), a honeytoken patient no legitimate workflow touches"));
        return;
      }
    }
  }
}
