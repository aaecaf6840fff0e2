package health.ward.watch;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * Off-hours: a person with at least five days of history opens records more than three hours from
 * any hour of the day at which they were active before (a day worker at 03:00, a night nurse at
 * noon). An alert, not a cut-off: shifts change.
 */
final class OffHours implements InlineDetector {
  static final String NAME = "off-hours";
  static final int HISTORY_DAYS = 5;
  private final ZoneId zone;

  OffHours(ZoneId zone) {
    this.zone = zone;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void inspect(Principal who, AccessEvent e, ActorState s, List<Finding> out) {
    if (s.machine || Events.patients(e).isEmpty()) return;
    int daysBefore = s.days.size();
    boolean today = s.days.contains(e.at().atZone(zone).toLocalDate());
    int usual = s.noteHour(e.at(), zone);
    int history = today ? daysBefore - 1 : daysBefore;
    if (history < HISTORY_DAYS || usual > 0) return;
    ZonedDateTime t = e.at().atZone(zone);
    out.add(new Finding(NAME, Severity.LOW, Response.ALERT, null,
        Events.who(e) + " " + Events.verb(e) + " records at " + String.format("%02d:%02d", t.getHour(), t.getMinute())
            + " (" + zone + "), more than " + ActorState.USUAL_SPAN + " hours from any hour they were active at on their "
            + history + " earlier days"));
  }
}
