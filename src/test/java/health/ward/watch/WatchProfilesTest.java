package health.ward.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.audit.AccessEvent;
import health.ward.audit.Touch;
import health.ward.cli.TestApps;
import health.ward.cli.WardApp;
import health.ward.cli.WardConfig;
import health.ward.common.Pseudonym;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the watch learned survives a restart: a token's habits, so its first use from elsewhere after it is still caught. */
class WatchProfilesTest {
  @TempDir Path dir;

  static AccessEvent read(Principal who, int n, String address) {
    byte[] b = new byte[Pseudonym.LENGTH];
    b[0] = (byte) n;
    return new AccessEvent(Instant.now(), who.id(), who.name(), "integration", "token:" + who.id(), "read", "Patient", "",
        List.of(new Touch(Pseudonym.of(b), "Patient", "p" + n)), AccessEvent.Outcome.ALLOWED, "api-token", false, "TREAT",
        address, "LabLink/7.1");
  }

  @Test
  void aTokensAddresses_andAnActorsPeaks_surviveARestart() {
    WardConfig config = TestApps.config(dir);
    Principal feed = new Principal("9001", "lab-feed", Principal.Kind.API_TOKEN, Role.INTEGRATION);
    try (WardApp app = WardApp.open(config)) {
      Watch w = app.startWatch(WatchSettings.defaults(ZoneOffset.UTC), List.of());
      for (int i = 0; i < 30; i++) assertEquals(Verdict.PASS, w.inspect(feed, read(feed, i, "10.1.0.1")));
    }
    try (WardApp app = WardApp.open(config)) {
      Watch w = app.startWatch(WatchSettings.defaults(ZoneOffset.UTC), List.of());
      assertEquals(Verdict.PASS, w.inspect(feed, read(feed, 1, "10.1.0.1")), "its own address is still known");
      Verdict v = w.inspect(feed, read(feed, 2, "198.51.100.7"));
      assertEquals(Response.REVOKE, v.response(), "a new address after the restart is still new: " + v);
      assertEquals("new-address", v.detector());
      assertTrue(w.alerts(null, 10).get(0).explanation().contains("only from 10.1.0.1"), w.alerts(null, 10).toString());
    }
  }

  @Test
  void aProfile_roundTrips_andOneThatIsNotIsRefused() throws Exception {
    ActorState s = new ActorState("user:1", "nurse", false);
    s.openPeak[2] = 7;
    s.noteHour(Instant.parse("2026-03-02T09:00:00Z"), ZoneOffset.UTC);
    ActorState back = ActorState.fromJson("user:1", com.google.gson.JsonParser.parseString(s.toJson().toString()).getAsJsonObject());
    assertEquals(7, back.openPeak[2]);
    assertEquals(1, back.hourDays[9]);
    assertEquals(1, back.days.size());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ActorState.fromJson("user:1", com.google.gson.JsonParser.parseString("{\"role\":\"nurse\"}").getAsJsonObject()));
  }
}
