package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import java.util.List;
import java.util.Set;

/**
 * A known credential from a new place: a staff session used from an address (or with a client)
 * other than the one it started on, which a session taken from its owner's browser does; or a
 * token with at least {@value #MATURE} earlier requests used from an address it never came from. A
 * session must step up; a token (which cannot) is revoked.
 */
final class NewAddress implements InlineDetector {
  static final String NAME = "new-address";
  static final int MATURE = 20;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void inspect(Principal who, AccessEvent e, ActorState s, List<Finding> out) {
    String credential = e.session() != null ? e.session() : e.actorId();
    int uses = s.uses.merge(credential, 1, Integer::sum);
    check(e, s, credential, uses, s.addresses, e.address(), "address", out);
    if (out.isEmpty() || !out.get(out.size() - 1).detector().equals(NAME)) {
      check(e, s, credential, uses, s.clients, e.userAgent(), "client", out);
    }
  }

  private static void check(
      AccessEvent e, ActorState s, String credential, int uses, java.util.Map<String, Set<String>> seenBy, String value,
      String what, List<Finding> out) {
    if (value == null) return;
    Set<String> seen = seenBy.computeIfAbsent(credential, c -> new java.util.LinkedHashSet<>());
    if (seen.isEmpty() || seen.contains(value)) {
      seen.add(value);
      return;
    }
    if (s.machine && uses <= MATURE) {
      seen.add(value);
      return;
    }
    String from = what.equals("address") ? " from " + value : " with client '" + value + "'";
    String before = what.equals("address") ? String.join(", ", seen) : String.join("', '", seen);
    if (s.machine) {
      boolean address = what.equals("address");
      out.add(new Finding(NAME, address ? Severity.HIGH : Severity.MEDIUM, address ? Response.REVOKE : Response.ALERT, null,
          Events.who(e) + "'s " + credential + " was used" + from + "; in its " + (uses - 1) + " earlier requests it came"
              + (address ? " only from " + before : " only with '" + before + "'")));
      if (!address) seen.add(value);
    } else {
      out.add(new Finding(NAME, Severity.HIGH, Response.STEP_UP, null,
          Events.who(e) + "'s " + credential + " was used" + from + " after starting"
              + (what.equals("address") ? " from " + before : " with '" + before + "'") + " (a session taken from its browser?)"));
    }
  }
}
