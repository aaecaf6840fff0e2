package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;

/**
 * The records service's view of the watch: every access event passes through {@link #inspect}
 * before it is recorded and answered. Cheap detectors decide there and then; heavier ones look at
 * the event just behind the response, and their responses hold from the credential's next request.
 */
public interface AccessWatch {
  /** A watch that sees nothing (tools that run without a server, tests of other parts). */
  AccessWatch NONE = (who, event) -> Verdict.PASS;

  /**
   * Scores {@code event} by {@code who}. Returns {@link Verdict#PASS} or a blocking verdict, in
   * which case the caller records the access as denied and refuses it. Never throws for a
   * detector's failure: a detector that fails is logged and skipped, the access is still recorded.
   */
  Verdict inspect(Principal who, AccessEvent event);

  /** The running watch behind this view (alerts, flags), or null when none runs in this process. */
  default Watch running() {
    return null;
  }
}
