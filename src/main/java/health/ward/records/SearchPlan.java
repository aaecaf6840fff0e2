package health.ward.records;

import health.ward.common.WardException;
import health.ward.records.SearchParameters.Kind;
import health.ward.records.SearchParameters.Param;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Resource;

/**
 * A search compiled against a type's parameters: blind-index key groups (AND of ORs) for the store,
 * exact date filters to apply after decryption, and the value-free shape for the ledger.
 */
record SearchPlan(List<List<String[]>> groups, List<Predicate<Resource>> filters, String shape) {

  /** Parameters that steer the result rather than select resources; passed over here. */
  static final Set<String> RESULT_PARAMETERS = Set.of("_format", "_pretty", "_total", "_elements");

  private static final Set<String> DATE_PREFIXES = Set.of("eq", "ne", "gt", "lt", "ge", "le");

  /** One group entry: (parameter, index key); the service turns each into a blind token. */
  static SearchPlan compile(String type, Map<String, List<String>> params) {
    Map<String, Param> supported = SearchParameters.forType(type);
    List<List<String[]>> groups = new ArrayList<>();
    List<Predicate<Resource>> filters = new ArrayList<>();
    Set<String> shape = new TreeSet<>();
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      String raw = e.getKey();
      if (RESULT_PARAMETERS.contains(raw)) continue;
      String name = raw, modifier = null;
      int colon = raw.indexOf(':');
      if (colon >= 0) {
        name = raw.substring(0, colon);
        modifier = raw.substring(colon + 1);
      }
      Param p = supported.get(name);
      if (p == null) {
        throw new WardException.InvalidRequest(
            "unsupported search parameter '" + name + "' for " + type + "; supported: "
                + String.join(", ", supported.keySet()) + ", _count, _offset, _sort, _summary");
      }
      String typeModifier = checkModifier(p, modifier);
      shape.add(modifier == null ? name : name + ":" + modifier);
      for (String value : e.getValue()) {
        if (value == null || value.isEmpty()) {
          throw new WardException.InvalidRequest("search parameter '" + raw + "' has no value");
        }
        compileValue(p, modifier, typeModifier, value, groups, filters);
      }
    }
    return new SearchPlan(groups, filters, String.join(",", shape));
  }

  private static String checkModifier(Param p, String modifier) {
    if (modifier == null) return null;
    boolean ok =
        switch (p.kind()) {
          case STRING -> modifier.equals("exact");
          case REFERENCE -> Ids.isValidType(modifier) && ResourceCatalog.supports(modifier);
          default -> false;
        };
    if (!ok) {
      throw new WardException.InvalidRequest(
          "unsupported modifier ':" + modifier + "' on search parameter '" + p.name() + "'");
    }
    return p.kind() == Kind.REFERENCE ? modifier : null;
  }

  private static void compileValue(
      Param p,
      String modifier,
      String typeModifier,
      String value,
      List<List<String[]>> groups,
      List<Predicate<Resource>> filters) {
    List<String> alternatives = splitAlternatives(value);
    if (p.kind() == Kind.DATE) {
      compileDate(p, alternatives, groups, filters);
      return;
    }
    List<String[]> group = new ArrayList<>();
    for (String v : alternatives) {
      String key =
          switch (p.kind()) {
            case ID -> {
              if (!Ids.isValid(v)) throw new WardException.InvalidRequest("'" + v + "' is not a valid id");
              yield v;
            }
            case TOKEN -> SearchParameters.tokenQueryKey(v);
            case STRING -> {
              if ("exact".equals(modifier)) yield "x:" + v;
              String n = SearchParameters.normalise(v);
              if (n.isEmpty()) throw new WardException.InvalidRequest("empty string search value for " + p.name());
              yield "p:" + (n.length() > SearchParameters.MAX_PREFIX ? n.substring(0, SearchParameters.MAX_PREFIX) : n);
            }
            case REFERENCE -> SearchParameters.referenceQueryKey(p.name(), v, typeModifier);
            case DATE -> throw new IllegalStateException("dates are compiled apart");
          };
      group.add(new String[] {p.name(), key});
    }
    groups.add(group);
  }

  private static void compileDate(
      Param p, List<String> alternatives, List<List<String[]>> groups, List<Predicate<Resource>> filters) {
    Set<Integer> years = new LinkedHashSet<>();
    boolean anyYear = false;
    List<Object[]> conditions = new ArrayList<>();
    for (String v : alternatives) {
      String prefix = "eq", rest = v;
      if (v.length() > 2 && Character.isLetter(v.charAt(0))) {
        prefix = v.substring(0, 2);
        rest = v.substring(2);
        if (!DATE_PREFIXES.contains(prefix)) {
          throw new WardException.InvalidRequest(
              "unsupported date prefix '" + prefix + "' (supported: eq, ne, gt, lt, ge, le)");
        }
      }
      DateRange q = DateRange.parseSearchValue(rest);
      int[] ys = DateRange.candidateYears(prefix, q);
      if (ys == null) anyYear = true;
      else for (int y : ys) years.add(y);
      conditions.add(new Object[] {prefix, q});
    }
    if (!anyYear) {
      List<String[]> group = new ArrayList<>();
      for (int y : years) group.add(new String[] {p.name(), "y:" + y});
      if (group.isEmpty()) group.add(new String[] {p.name(), "y:none"});
      groups.add(group);
    }
    BiFunction<Resource, Object[], Boolean> test =
        (r, c) -> {
          for (Base b : p.values().apply(r)) {
            DateRange target = SearchParameters.range(b);
            if (target != null && target.matches((String) c[0], (DateRange) c[1])) return true;
          }
          return false;
        };
    filters.add(r -> conditions.stream().anyMatch(c -> test.apply(r, c)));
  }

  /** Splits comma-separated alternatives, honouring "\," as an escaped comma. */
  static List<String> splitAlternatives(String value) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
        cur.append(',');
        i++;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    for (String s : out) {
      if (s.isEmpty()) throw new WardException.InvalidRequest("empty alternative in search value '" + value + "'");
    }
    return out;
  }
}
