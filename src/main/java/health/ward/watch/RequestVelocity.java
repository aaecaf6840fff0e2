package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import java.util.List;

/**
 * Request velocity: requests per 10 s and per minute, against a limit like {@link BulkAccess}'s
 * (people: 25 and 90 at least, faster than anyone clicks). Over the limit the credential is
 * throttled to one request every two seconds.
 */
final class RequestVelocity implements InlineDetector {
  static final String NAME = "request-velocity";
  private final Baselines baselines;

  RequestVelocity(Baselines baselines) {
    this.baselines = baselines;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void inspect(Principal who, AccessEvent e, ActorState s, List<Finding> out) {
    for (int i = 0; i < ActorState.RATE_WINDOWS.length; i++) {
      int count = s.requests[i].add(e.at());
      int limit = baselines.exceeded(s, Baselines.Metric.RATE, i, count, e.at());
      if (limit == 0) continue;
      out.add(new Finding(NAME, Severity.MEDIUM, Response.THROTTLE, null,
          Events.who(e) + " made " + count + " requests in " + Events.window(ActorState.RATE_WINDOWS[i])
              + "; the limit for this account is " + limit));
      for (int j = i + 1; j < ActorState.RATE_WINDOWS.length; j++) s.requests[j].add(e.at());
      return;
    }
  }
}
