package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.common.Pseudonym;
import java.util.List;

/**
 * Enumeration through searches: the number of different patients an actor's searches listed in
 * 1 min and 1 h, against a limit like {@link BulkAccess}'s; and, for people, paging through results
 * ({@code _offset}) a second time within a minute, which lists records faster than anyone reads
 * them; or a search without any narrowing parameter listing more than {@value #UNFILTERED}
 * patients at once. A person must step up; a machine over its limit is throttled; twice over, revoked.
 */
final class SearchEnumeration implements InlineDetector {
  static final String NAME = "search-enumeration";
  /** Most patients a person's search without any narrowing parameter may list before it is enumeration. */
  static final int UNFILTERED = 10;
  private final Baselines baselines;

  SearchEnumeration(Baselines baselines) {
    this.baselines = baselines;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void inspect(Principal who, AccessEvent e, ActorState s, List<Finding> out) {
    if (e.outcome() != AccessEvent.Outcome.ALLOWED || !e.interaction().startsWith("search")) return;
    List<Pseudonym> patients = Events.patients(e);
    if (Events.paging(e) && !s.machine && !patients.isEmpty()) {
      int pages = s.paged.add(e.at());
      if (pages >= 2) {
        out.add(new Finding(NAME, Severity.HIGH, Response.STEP_UP, null,
            Events.who(e) + " paged through " + e.resourceType() + " search results " + pages
                + " times within a minute (" + patients.size() + " patients on this page alone)"));
        return;
      }
    }
    if (!Events.listing(e, patients)) return;
    if (!s.machine && Events.unfiltered(e) && patients.size() > UNFILTERED) {
      out.add(new Finding(NAME, Severity.HIGH, Response.STEP_UP, null,
          Events.who(e) + " searched " + e.resourceType() + " with no narrowing parameter and was shown " + patients.size()
              + " different patients at once"));
      return;
    }
    for (int i = 0; i < ActorState.LIST_WINDOWS.length; i++) {
      int count = 0;
      for (Pseudonym p : patients) count = s.listed[i].see(p, e.at());
      int limit = baselines.exceeded(s, Baselines.Metric.LIST, i, count, e.at());
      if (limit == 0) continue;
      boolean far = count > 2 * limit;
      out.add(new Finding(NAME, far ? Severity.CRITICAL : Severity.HIGH,
          far ? Response.REVOKE : s.machine ? Response.THROTTLE : Response.STEP_UP, null,
          Events.who(e) + "'s " + e.resourceType() + " searches listed " + count + " different patients in "
              + Events.window(ActorState.LIST_WINDOWS[i]) + "; the limit for this account is " + limit));
      return;
    }
  }
}
