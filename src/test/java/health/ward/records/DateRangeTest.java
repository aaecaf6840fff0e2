package health.ward.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DateRangeTest {
  static long ms(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void parse_precisionDecidesTheSpan() {
    assertEquals(new DateRange(ms("2020-01-01T00:00:00Z"), ms("2021-01-01T00:00:00Z")), DateRange.parseSearchValue("2020"));
    assertEquals(new DateRange(ms("2020-02-01T00:00:00Z"), ms("2020-03-01T00:00:00Z")), DateRange.parseSearchValue("2020-02"));
    assertEquals(new DateRange(ms("2020-02-29T00:00:00Z"), ms("2020-03-01T00:00:00Z")), DateRange.parseSearchValue("2020-02-29"));
    assertEquals(new DateRange(ms("2020-02-29T09:30:00Z"), ms("2020-02-29T09:31:00Z")), DateRange.parseSearchValue("2020-02-29T10:30+01:00"));
    assertEquals(new DateRange(ms("2020-02-29T10:30:05Z"), ms("2020-02-29T10:30:06Z")), DateRange.parseSearchValue("2020-02-29T10:30:05Z"));
  }

  @Test
  void parse_garbage_isAnInvalidRequest() {
    assertThrows(WardException.InvalidRequest.class, () -> DateRange.parseSearchValue("2020-13-01"));
    assertThrows(WardException.InvalidRequest.class, () -> DateRange.parseSearchValue("yesterday"));
  }

  @Test
  void prefixes_followFhirSemantics() {
    DateRange day = DateRange.parseSearchValue("2020-05-10");
    DateRange morning = new DateRange(ms("2020-05-10T08:00:00Z"), ms("2020-05-10T08:00:01Z"));
    DateRange dayBefore = new DateRange(ms("2020-05-09T23:59:59Z"), ms("2020-05-10T00:00:00Z"));
    DateRange dayAfter = new DateRange(ms("2020-05-11T00:00:00Z"), ms("2020-05-11T00:00:01Z"));
    assertTrue(morning.matches("eq", day));
    assertFalse(dayBefore.matches("eq", day));
    assertTrue(dayBefore.matches("ne", day));
    assertTrue(morning.matches("ge", day));
    assertFalse(dayBefore.matches("ge", day));
    assertTrue(morning.matches("le", day));
    assertFalse(dayAfter.matches("le", day));
    assertTrue(dayAfter.matches("gt", day));
    assertFalse(morning.matches("gt", day));
    assertTrue(dayBefore.matches("lt", day));
    assertFalse(morning.matches("lt", day));
  }

  @Test
  void candidateYears_coverEveryYearAMatchCanFallIn() {
    DateRange q = DateRange.parseSearchValue("2019-12-31");
    assertArrayEquals(new int[] {2019}, DateRange.candidateYears("eq", q));
    int[] ge = DateRange.candidateYears("ge", q);
    assertEquals(2019, ge[0]);
    assertEquals(DateRange.MAX_YEAR, ge[ge.length - 1]);
    int[] le = DateRange.candidateYears("le", q);
    assertEquals(DateRange.MIN_YEAR, le[0]);
    assertEquals(2019, le[le.length - 1]);
  }
}
