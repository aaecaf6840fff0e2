package health.ward.records;

import health.ward.common.WardException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Date;

/**
 * A half-open instant range [low, high): the span a FHIR date, dateTime, instant or Period covers
 * at its precision ("2020" covers the whole year). Comparisons follow the FHIR search prefixes.
 */
record DateRange(long low, long high) {
  static final int MIN_YEAR = 1800;
  static final int MAX_YEAR = 2200;

  DateRange {
    if (high < low) throw new IllegalArgumentException("range ends before it starts");
  }

  /** The range of a value with the given precision; null dates give null. */
  static DateRange of(Date start, Date end) {
    if (start == null && end == null) return null;
    long lo = start == null ? Long.MIN_VALUE / 4 : start.getTime();
    long hi = end == null ? (start == null ? lo : start.getTime() + 1) : end.getTime() + 1;
    if (hi < lo) hi = lo + 1;
    return new DateRange(lo, hi);
  }

  static DateRange ofPrecise(Date value, ca.uhn.fhir.model.api.TemporalPrecisionEnum precision) {
    if (value == null) return null;
    long lo = value.getTime();
    OffsetDateTime t = value.toInstant().atOffset(ZoneOffset.UTC);
    long hi =
        switch (precision) {
          case YEAR -> t.plusYears(1).toInstant().toEpochMilli();
          case MONTH -> t.plusMonths(1).toInstant().toEpochMilli();
          case DAY -> t.plusDays(1).toInstant().toEpochMilli();
          case MINUTE -> lo + 60_000;
          case SECOND -> lo + 1_000;
          case MILLI -> lo + 1;
        };
    return new DateRange(lo, hi);
  }

  /**
   * Parses a search value without its prefix: YYYY, YYYY-MM, YYYY-MM-DD, or a dateTime with a
   * time zone (a dateTime without one is read as UTC).
   */
  static DateRange parseSearchValue(String v) {
    try {
      if (v.matches("\\d{4}")) {
        LocalDate d = LocalDate.of(Integer.parseInt(v), 1, 1);
        return new DateRange(ms(d), ms(d.plusYears(1)));
      }
      if (v.matches("\\d{4}-\\d{2}")) {
        YearMonth ym = YearMonth.parse(v);
        return new DateRange(ms(ym.atDay(1)), ms(ym.plusMonths(1).atDay(1)));
      }
      if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
        LocalDate d = LocalDate.parse(v);
        return new DateRange(ms(d), ms(d.plusDays(1)));
      }
      String withZone = v.matches(".*(Z|[+-]\\d{2}:\\d{2})$") ? v : v + "Z";
      Instant t = OffsetDateTime.parse(withZone).toInstant();
      long step = v.matches(".*T\\d{2}:\\d{2}(Z|[+-].*)?$") ? 60_000 : v.contains(".") ? 1 : 1_000;
      return new DateRange(t.toEpochMilli(), t.toEpochMilli() + step);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new WardException.InvalidRequest(
          "'" + v + "' is not a FHIR date (use YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)");
    }
  }

  private static long ms(LocalDate d) {
    return d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  static int yearOf(long epochMillis) {
    int y = Instant.ofEpochMilli(epochMillis).atOffset(ZoneOffset.UTC).getYear();
    return Math.max(MIN_YEAR, Math.min(MAX_YEAR, y));
  }

  /** Years this range touches, clipped to [MIN_YEAR, MAX_YEAR] and at most {@code cap} of them. */
  int[] years(int cap) {
    int a = yearOf(low), b = yearOf(Math.max(low, high - 1));
    int n = Math.min(cap, b - a + 1);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = a + i;
    return out;
  }

  /** FHIR search prefix semantics of {@code this} (the target) against a search range. */
  boolean matches(String prefix, DateRange q) {
    return switch (prefix) {
      case "eq" -> low >= q.low && high <= q.high;
      case "ne" -> !(low >= q.low && high <= q.high);
      case "gt" -> high > q.high;
      case "lt" -> low < q.low;
      case "ge" -> high > q.low;
      case "le" -> low < q.high;
      default -> throw new WardException.InvalidRequest("unsupported date prefix '" + prefix + "'");
    };
  }

  /** The years a target matching (prefix, q) may fall in; null means any year. */
  static int[] candidateYears(String prefix, DateRange q) {
    return switch (prefix) {
      case "eq" -> q.years(MAX_YEAR - MIN_YEAR + 1);
      case "ge", "gt" -> new DateRange(q.low, Instant.parse("2200-12-31T00:00:00Z").toEpochMilli()).years(1000);
      case "le", "lt" -> new DateRange(Instant.parse("1800-01-01T00:00:00Z").toEpochMilli(), Math.max(q.low + 1, q.high)).years(1000);
      default -> null;
    };
  }
}
