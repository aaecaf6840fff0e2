package health.ward.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchPlanTest {
  static List<String> keys(List<String[]> group) {
    return group.stream().map(k -> k[0] + "=" + k[1]).toList();
  }

  @Test
  void commaMeansOr_repetitionMeansAnd() {
    SearchPlan p =
        SearchPlan.compile(
            "Observation",
            Map.of("code", List.of("http://loinc.org|8480-6,8462-4", "|x")));
    assertEquals(2, p.groups().size());
    assertEquals(List.of("code=http://loinc.org|8480-6", "code=8462-4"), keys(p.groups().get(0)));
    assertEquals(List.of("code=|x"), keys(p.groups().get(1)));
    assertEquals("code", p.shape());
  }

  @Test
  void strings_areFoldedPrefixes_exactIsExact() {
    SearchPlan p = SearchPlan.compile("Patient", Map.of("family", List.of("Patiño"), "given:exact", List.of("José")));
    assertEquals("family,given:exact", p.shape());
    assertTrue(p.groups().stream().anyMatch(g -> keys(g).equals(List.of("family=p:patino"))));
    assertTrue(p.groups().stream().anyMatch(g -> keys(g).equals(List.of("given=x:José"))));
  }

  @Test
  void references_normalise() {
    assertEquals(List.of("patient=Patient/abc"), keys(SearchPlan.compile("Observation", Map.of("patient", List.of("abc"))).groups().get(0)));
    assertEquals(List.of("subject=Patient/abc"), keys(SearchPlan.compile("Observation", Map.of("subject", List.of("https://x.org/fhir/Patient/abc"))).groups().get(0)));
    assertEquals(List.of("subject=abc"), keys(SearchPlan.compile("Observation", Map.of("subject", List.of("abc"))).groups().get(0)));
    assertEquals(List.of("subject=Patient/abc"), keys(SearchPlan.compile("Observation", Map.of("subject:Patient", List.of("abc"))).groups().get(0)));
  }

  @Test
  void dates_becomeYearBucketsAndAFilter() {
    SearchPlan p = SearchPlan.compile("Observation", Map.of("date", List.of("2020-03-04")));
    assertEquals(List.of("date=y:2020"), keys(p.groups().get(0)));
    assertEquals(1, p.filters().size());
    SearchPlan ne = SearchPlan.compile("Observation", Map.of("date", List.of("ne2020")));
    assertTrue(ne.groups().isEmpty());
    assertEquals(1, ne.filters().size());
  }

  @Test
  void badInput_isAnInvalidRequestNamingTheProblem() {
    var e = assertThrows(WardException.InvalidRequest.class, () -> SearchPlan.compile("Patient", Map.of("shoe-size", List.of("9"))));
    assertTrue(e.getMessage().contains("shoe-size"), e.getMessage());
    assertTrue(e.getMessage().contains("family"), e.getMessage());
    assertThrows(WardException.InvalidRequest.class, () -> SearchPlan.compile("Patient", Map.of("family:contains", List.of("x"))));
    assertThrows(WardException.InvalidRequest.class, () -> SearchPlan.compile("Patient", Map.of("birthdate", List.of("sa2020"))));
    assertThrows(WardException.InvalidRequest.class, () -> SearchPlan.compile("Patient", Map.of("_id", List.of("bad id!"))));
    assertThrows(WardException.InvalidRequest.class, () -> SearchPlan.compile("Patient", Map.of("gender", List.of(""))));
    assertThrows(WardException.InvalidRequest.class, () -> SearchPlan.compile("Patient", Map.of("identifier", List.of("a,,b"))));
    assertThrows(WardException.InvalidRequest.class, () -> SearchPlan.compile("Observation", Map.of("code", List.of("|"))));
  }

  @Test
  void escapedCommas_areNotSeparators() {
    assertEquals(List.of("a,b", "c"), SearchPlan.splitAlternatives("a\\,b,c"));
  }
}
