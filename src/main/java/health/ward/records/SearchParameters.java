package health.ward.records;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import health.ward.common.WardException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;

/**
 * The search parameters Ward supports per resource type, how their values are normalised into
 * blind-index keys, and how date values are read back for exact comparison after decryption.
 *
 * <p>Index keys by kind: token "system|code", "system|", "|code" (no system) and "code" (any
 * system); string "p:" + every prefix of the normalised value (case and accents folded, FHIR's
 * starts-with) and "x:" + the exact value; reference "Type/id" and "id"; date "y:YYYY" for each
 * year the value covers (a coarse bucket; the exact comparison happens after decryption).
 */
final class SearchParameters {
  enum Kind { ID, TOKEN, STRING, REFERENCE, DATE }

  record Param(String name, Kind kind, Function<Resource, List<Base>> values) {}

  static final int MAX_PREFIX = 32;

  private SearchParameters() {}

  private static final Map<String, Map<String, Param>> BY_TYPE = new ConcurrentHashMap<>();

  /** The parameters of one supported type, in a stable order. */
  static Map<String, Param> forType(String type) {
    return BY_TYPE.computeIfAbsent(type, SearchParameters::define);
  }

  private static Map<String, Param> define(String type) {
    Map<String, Param> m = new LinkedHashMap<>();
    add(m, "_id", Kind.ID, r -> List.of(new StringType(r.getIdElement().getIdPart())));
    add(m, "_lastUpdated", Kind.DATE, r -> List.of(r.getMeta().getLastUpdatedElement()));
    if (hasProperty(type, "identifier")) add(m, "identifier", Kind.TOKEN, r -> property(r, "identifier"));
    if (ResourceCatalog.patientElement(type) != null) {
      add(m, "patient", Kind.REFERENCE, r -> patientRefs(r));
      if ("subject".equals(ResourceCatalog.patientElement(type))) {
        add(m, "subject", Kind.REFERENCE, r -> property(r, "subject"));
      }
    }
    switch (type) {
      case "Patient" -> {
        add(m, "family", Kind.STRING, r -> names((Patient) r, true, false));
        add(m, "given", Kind.STRING, r -> names((Patient) r, false, true));
        add(m, "name", Kind.STRING, r -> names((Patient) r, true, true));
        add(m, "birthdate", Kind.DATE, r -> List.of(((Patient) r).getBirthDateElement()));
        add(m, "gender", Kind.TOKEN, r -> genders((Patient) r));
      }
      case "Observation" -> {
        add(m, "code", Kind.TOKEN, r -> List.of(((Observation) r).getCode()));
        add(m, "category", Kind.TOKEN, r -> new ArrayList<>(((Observation) r).getCategory()));
        add(m, "date", Kind.DATE, r -> listOf(((Observation) r).getEffective()));
      }
      case "Condition" -> {
        add(m, "code", Kind.TOKEN, r -> List.of(((Condition) r).getCode()));
        add(m, "category", Kind.TOKEN, r -> new ArrayList<>(((Condition) r).getCategory()));
        add(m, "date", Kind.DATE, r -> conditionDate((Condition) r));
      }
      case "Encounter" -> add(m, "date", Kind.DATE, r -> listOf(((Encounter) r).getPeriod()));
      case "Procedure" -> {
        add(m, "code", Kind.TOKEN, r -> List.of(((Procedure) r).getCode()));
        add(m, "date", Kind.DATE, r -> listOf(((Procedure) r).getPerformed()));
      }
      case "Practitioner" -> add(m, "name", Kind.STRING, r -> property(r, "name"));
      case "Organization", "Location" -> add(m, "name", Kind.STRING, r -> property(r, "name"));
      default -> {}
    }
    return Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, Param> m, String name, Kind kind, Function<Resource, List<Base>> f) {
    m.put(name, new Param(name, kind, f));
  }

  private static boolean hasProperty(String type, String name) {
    try {
      Resource r = (Resource) Codec.context().getResourceDefinition(type).newInstance();
      return r.getNamedProperty(name) != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static List<Base> property(Resource r, String name) {
    Property p = r.getNamedProperty(name);
    return p == null ? List.of() : p.getValues();
  }

  private static List<Base> listOf(Type t) {
    return t == null || t.isEmpty() ? List.of() : List.of(t);
  }

  private static List<Base> patientRefs(Resource r) {
    List<Base> out = new ArrayList<>();
    for (Reference ref : ResourceCatalog.patientReferences(r)) {
      if (References.patientId(ref) != null) out.add(ref);
    }
    return out;
  }

  private static List<Base> conditionDate(Condition c) {
    if (c.hasOnset() && (c.getOnset() instanceof DateTimeType || c.getOnset() instanceof Period)) {
      return List.of(c.getOnset());
    }
    return c.hasRecordedDate() ? List.of(c.getRecordedDateElement()) : List.of();
  }

  private static List<Base> names(Patient p, boolean family, boolean given) {
    List<Base> out = new ArrayList<>();
    for (HumanName n : p.getName()) {
      if (family && n.hasFamily()) out.add(n.getFamilyElement());
      if (given) out.addAll(n.getGiven());
      if (family && given) {
        out.addAll(n.getPrefix());
        out.addAll(n.getSuffix());
        if (n.hasText()) out.add(n.getTextElement());
      }
    }
    return out;
  }

  private static List<Base> genders(Patient p) {
    if (!p.hasGender()) return List.of();
    return List.of(new Coding(p.getGender().getSystem(), p.getGender().toCode(), null));
  }

  // ---- index keys -------------------------------------------------------------------------

  /** Every index key of one parameter for a resource. */
  static List<String> indexKeys(Param p, Resource r) {
    List<String> keys = new ArrayList<>();
    for (Base v : p.values().apply(r)) {
      switch (p.kind()) {
        case ID -> keys.add(((StringType) v).getValue());
        case TOKEN -> tokenKeys(v, keys);
        case STRING -> stringKeys(v, keys);
        case REFERENCE -> referenceKeys(v, keys);
        case DATE -> {
          DateRange range = range(v);
          if (range != null) for (int y : range.years(60)) keys.add("y:" + y);
        }
      }
    }
    return keys;
  }

  private static void tokenKeys(Base v, List<String> out) {
    if (v instanceof Identifier id) {
      if (id.hasValue()) addToken(id.getSystem(), id.getValue(), out);
    } else if (v instanceof CodeableConcept cc) {
      for (Coding c : cc.getCoding()) if (c.hasCode()) addToken(c.getSystem(), c.getCode(), out);
    } else if (v instanceof Coding c) {
      if (c.hasCode()) addToken(c.getSystem(), c.getCode(), out);
    }
  }

  private static void addToken(String system, String code, List<String> out) {
    out.add(code);
    if (system == null || system.isEmpty()) {
      out.add("|" + code);
    } else {
      out.add(system + "|" + code);
      out.add(system + "|");
    }
  }

  private static void stringKeys(Base v, List<String> out) {
    String s = v.primitiveValue();
    if (s == null || s.isBlank()) return;
    out.add("x:" + s);
    String n = normalise(s);
    for (int i = 1; i <= Math.min(n.length(), MAX_PREFIX); i++) out.add("p:" + n.substring(0, i));
  }

  private static void referenceKeys(Base v, List<String> out) {
    if (!(v instanceof Reference ref)) return;
    References.Local l = References.local(ref.getReference());
    if (l == null) return;
    out.add(l.key());
    out.add(l.id());
  }

  /** Case- and accent-folded, whitespace-collapsed form used for string search. */
  static String normalise(String s) {
    String d = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
    return d.toLowerCase(Locale.ROOT).trim().replaceAll("\\s+", " ");
  }

  /** The instant range a date-like value covers, or null. */
  static DateRange range(Base v) {
    if (v instanceof DateTimeType dt) return DateRange.ofPrecise(dt.getValue(), dt.getPrecision());
    if (v instanceof DateType d) return DateRange.ofPrecise(d.getValue(), d.getPrecision());
    if (v instanceof org.hl7.fhir.r4.model.InstantType i) {
      return DateRange.ofPrecise(i.getValue(), TemporalPrecisionEnum.MILLI);
    }
    if (v instanceof Period p) {
      DateRange s = p.hasStart() ? DateRange.ofPrecise(p.getStart(), p.getStartElement().getPrecision()) : null;
      DateRange e = p.hasEnd() ? DateRange.ofPrecise(p.getEnd(), p.getEndElement().getPrecision()) : null;
      if (s == null && e == null) return null;
      if (s == null) return e;
      if (e == null) return s;
      return new DateRange(s.low(), Math.max(s.high(), e.high()));
    }
    return null;
  }

  /** Normalised query key for a token search value ("system|code", "|code", "system|", "code"). */
  static String tokenQueryKey(String value) {
    int bar = value.indexOf('|');
    if (bar < 0) return value;
    String system = value.substring(0, bar), code = value.substring(bar + 1);
    if (system.isEmpty() && code.isEmpty()) {
      throw new WardException.InvalidRequest("token search value '|' names neither system nor code");
    }
    if (system.isEmpty()) return "|" + code;
    if (code.isEmpty()) return system + "|";
    return system + "|" + code;
  }

  /** Normalised query key for a reference search value. */
  static String referenceQueryKey(String param, String value, String typeModifier) {
    String v = value;
    int hist = v.indexOf("/_history/");
    if (hist >= 0) v = v.substring(0, hist);
    String[] parts = v.split("/");
    if (parts.length >= 2) {
      String type = parts[parts.length - 2], id = parts[parts.length - 1];
      if (Ids.isValidType(type) && Ids.isValid(id)) return type + "/" + id;
    }
    if (!Ids.isValid(v)) {
      throw new WardException.InvalidRequest("'" + value + "' is not a reference for parameter " + param);
    }
    if (typeModifier != null) return typeModifier + "/" + v;
    if (param.equals("patient")) return "Patient/" + v;
    return v;
  }
}
