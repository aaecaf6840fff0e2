package health.ward.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScopesTest {
  @Test
  void v2Letters_grantExactlyTheirActions() {
    Scopes s = Scopes.parse("user/Observation.rs");
    assertTrue(s.permits(Action.READ, "Observation"));
    assertTrue(s.permits(Action.SEARCH, "Observation"));
    assertTrue(s.permits(Action.HISTORY, "Observation"));
    assertFalse(s.permits(Action.CREATE, "Observation"));
    assertFalse(s.permits(Action.UPDATE, "Observation"));
    assertFalse(s.permits(Action.DELETE, "Observation"));
    assertFalse(s.permits(Action.READ, "Patient"));
  }

  @Test
  void v1Words_andWildcards() {
    assertTrue(Scopes.parse("system/*.read").permits(Action.SEARCH, "Condition"));
    assertFalse(Scopes.parse("system/*.read").permits(Action.CREATE, "Condition"));
    assertTrue(Scopes.parse("user/Patient.write").permits(Action.UPDATE, "Patient"));
    assertTrue(Scopes.parse("user/*.*").permits(Action.DELETE, "Encounter"));
    assertEquals("system/*.rs", Scopes.parse("system/*.read").toString());
  }

  @Test
  void patientContextScopes_grantNothingWithoutALaunch_andOtherScopesAreIgnored() {
    Scopes s = Scopes.parse("openid fhirUser launch/patient offline_access patient/*.r");
    assertFalse(s.permits(Action.READ, "Observation"));
    assertFalse(s.isEmpty(), "patient/ scopes are kept");
  }

  @Test
  void within_narrowsPerLetter_andOnlyContextFilters() {
    Scopes asked = Scopes.parse("system/Observation.cruds system/Patient.r");
    Scopes granted = asked.within(Scopes.parse("system/*.rs"));
    assertEquals("system/Observation.rs system/Patient.r", granted.toString());
    assertTrue(Scopes.parse("user/*.rs system/Patient.r").onlyContext("system").toString().equals("system/Patient.r"));
  }

  @Test
  void malformedScopes_areRefusedByName() {
    for (String bad : new String[] {"user/observation.r", "admin/*.r", "user/Observation.x", "user/Observation.", "system/*.srdc"}) {
      var e = assertThrows(IllegalArgumentException.class, () -> Scopes.parse(bad), bad);
      assertTrue(e.getMessage().contains("not a SMART scope"), e.getMessage());
    }
  }
}
