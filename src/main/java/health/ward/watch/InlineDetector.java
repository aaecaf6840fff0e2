package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import java.util.List;

/**
 * A detector cheap enough to run before the response: it reads and updates only the actor's state
 * in memory (and in-memory flags). Called under the actor's monitor.
 */
interface InlineDetector {
  String name();

  void inspect(Principal who, AccessEvent e, ActorState s, List<Finding> out);
}
