package health.ward.cli.simulate;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Simulated time: the clock the hospital-in-a-box's Ward runs on, moved forward by the simulator
 * to each action's moment, so that days pass in minutes and a run repeats exactly from its seed.
 * It never goes back.
 */
final class SimClock extends Clock {
  private volatile Instant now;

  SimClock(Instant start) {
    this.now = start;
  }

  /** Moves to {@code t} (or stays, if {@code t} is earlier). */
  synchronized void advanceTo(Instant t) {
    if (t.isAfter(now)) now = t;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
