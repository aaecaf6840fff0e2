package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.common.Pseudonym;
import health.ward.store.PersonMarker;
import java.time.Duration;
import java.util.List;

/**
 * Snooping on people the actor knows or has heard of, checked behind the response for each patient
 * an access touched (the first {@value #MAX_PATIENTS}), unless the actor is directly in the patient's
 * care (care team or encounter):
 *
 * <ul>
 *   <li>{@code vip}: the patient is flagged VIP or carries a celebrity/VIP security label;
 *   <li>{@code co-worker}: the patient is also staff (flagged, labelled EMP, or their name and birth
 *       date match a staff member's Practitioner by blind index);
 *   <li>{@code family}: the patient shares a surname or an address with the actor, by blind index;
 *   <li>{@code own-record}: the patient is the actor (name and birth date match);
 *   <li>{@code deceased}: the patient died more than {@value #DECEASED_DAYS} days ago (or on an
 *       unknown date).
 * </ul>
 *
 * Refused attempts count too: trying to open a celebrity's record is what a curious employee does.
 * A clinician's search narrowed to the patients they have a care relationship with is not looked
 * at: everyone it shows is someone they care for.
 */
final class PeopleInRecords implements BehindDetector {
  static final int MAX_PATIENTS = 50;
  static final int DECEASED_DAYS = 30;

  @Override
  public String name() {
    return "people";
  }

  @Override
  public void inspect(Principal who, AccessEvent e, Subjects subjects, List<Finding> out) {
    if (who.kind() != Principal.Kind.USER || Events.direct(e) || Events.narrowed(e)) return;
    if (e.outcome() == AccessEvent.Outcome.DENIED && !Events.unrelated(e)) return;
    List<Pseudonym> patients = Events.patients(e);
    Subjects.Markers me = subjects.actor(who.practitioner(), e.at());
    int n = 0;
    for (Pseudonym p : patients) {
      if (n++ >= MAX_PATIENTS) break;
      Subjects.Markers them = subjects.patient(p);
      String verb = Events.verb(e) + " the record of";
      boolean self = me.shares(PersonMarker.PERSON, them);
      if (self) {
        out.add(new Finding("own-record", Severity.MEDIUM, Response.ALERT, p,
            Events.who(e) + " " + verb + " a patient whose name and birth date match their own (their own record)"));
        continue;
      }
      if (subjects.flagged(p, "vip") || subjects.labelled(them, "CEL") || subjects.labelled(them, "VIP")) {
        out.add(new Finding("vip", Severity.HIGH, Response.ALERT, p,
            Events.who(e) + " " + verb + " a VIP patient without being on their care team or in an encounter with them"
                + " (rule: " + e.rule() + ")"));
      }
      boolean staffFlag = subjects.flagged(p, "staff") || subjects.labelled(them, "EMP");
      boolean staffMatch = !staffFlag && them.of(PersonMarker.PERSON).stream().anyMatch(subjects.staffPeople(e.at())::contains);
      if (staffFlag || staffMatch) {
        out.add(new Finding("co-worker", Severity.HIGH, Response.ALERT, p,
            Events.who(e) + " " + verb + " a patient who is also staff ("
                + (staffFlag ? "flagged" : "name and birth date match a staff member, by blind index")
                + ") without being on their care team or in an encounter with them (rule: " + e.rule() + ")"));
      }
      boolean surname = me.shares(PersonMarker.SURNAME, them);
      boolean address = me.shares(PersonMarker.ADDRESS, them);
      if (surname || address) {
        String shared = surname && address ? "a surname and an address" : surname ? "a surname" : "an address";
        out.add(new Finding("family", Severity.HIGH, Response.ALERT, p,
            Events.who(e) + " " + verb + " a patient who shares " + shared + " with them (compared by blind index),"
                + " without being on their care team or in an encounter with them (rule: " + e.rule() + ")"));
      }
      if (them.deceased() && (them.died() == null
          || Duration.between(them.died(), e.at()).compareTo(Duration.ofDays(DECEASED_DAYS)) > 0)) {
        out.add(new Finding("deceased", Severity.LOW, Response.ALERT, p,
            Events.who(e) + " " + verb + " a patient who died "
                + (them.died() == null ? "on an unknown date" : Duration.between(them.died(), e.at()).toDays() + " days ago")));
      }
    }
  }
}
