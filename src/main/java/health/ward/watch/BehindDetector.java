package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import java.util.List;

/**
 * A detector that needs the database (who the patient is, who cares for them): it runs just behind
 * the response, on the watch's own thread, and its response holds from the credential's next
 * request.
 */
interface BehindDetector {
  String name();

  void inspect(Principal who, AccessEvent e, Subjects subjects, List<Finding> out);
}
