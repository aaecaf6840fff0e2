package health.ward.records;

import health.ward.audit.AccessEvent.Outcome;
import health.ward.audit.AuditDetails;
import health.ward.audit.AuditEntry;
import health.ward.audit.AuditLog;
import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.vault.RecordVault;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * The FHIR view of the audit log: ledger entries as {@code AuditEvent}s shaped like IHE Basic Audit
 * Log Patterns (BALP), and the search over them (parameters {@code patient}, {@code agent}, {@code
 * date}, {@code action}). The id of an AuditEvent is its ledger index, so each one can be proven
 * with {@code /ledger/proof/inclusion}.
 */
final class AuditEvents {
  static final String TYPE = "AuditEvent";
  /** Search parameters accepted, besides the result parameters the HTTP layer handles. */
  static final List<String> PARAMETERS = List.of("patient", "agent", "date", "action");
  /** Most matching entries one search collects before asking for a narrower one. */
  static final int MAX_MATCHES = 100_000;

  static final String ROLE_SYSTEM = "https://ward.health/fhir/CodeSystem/role";
  static final String ACTOR_SYSTEM = "https://ward.health/fhir/actor";
  static final String ACTOR_PSEUDONYM_SYSTEM = "https://ward.health/fhir/actor-pseudonym";
  static final String PATIENT_PSEUDONYM_SYSTEM = "https://ward.health/fhir/patient-pseudonym";
  static final String POLICY_BASE = "https://ward.health/fhir/policy/";
  /** FHIR's restful-interaction codes (and Ward's "unknown" for requests refused before routing). */
  static final java.util.Set<String> REST = java.util.Set.of(
      "read", "vread", "update", "patch", "delete", "history", "history-instance", "history-type", "history-system",
      "create", "search", "search-type", "search-system", "capabilities", "transaction", "batch", "operation", "unknown");
  /** Ward's code system for events that are not FHIR interactions (sign-in, token-issue, break-glass, …). */
  static final String WARD_EVENTS = "https://ward.health/fhir/CodeSystem/event";
  static final String EMERGENCY_EXTENSION = "https://ward.health/fhir/StructureDefinition/emergency-access";
  static final String SHAPE_EXTENSION = "https://ward.health/fhir/StructureDefinition/search-shape";

  private AuditEvents() {}

  /** A parsed AuditEvent search: a time window and a condition on entries. */
  record Criteria(Instant from, Instant to, Predicate<AuditEntry> match, Map<Pseudonym, String> knownPatients) {}

  /** Parses the search parameters; unknown ones and bad values are InvalidRequest. */
  static Criteria criteria(Map<String, List<String>> params, RecordVault vault) {
    for (String name : params.keySet()) {
      if (!PARAMETERS.contains(name)) {
        throw new WardException.InvalidRequest(
            "unknown AuditEvent search parameter '" + name + "' (supported: " + String.join(", ", PARAMETERS) + ")");
      }
    }
    List<Predicate<AuditEntry>> all = new ArrayList<>();
    Map<Pseudonym, String> known = new java.util.HashMap<>();
    for (String v : params.getOrDefault("patient", List.of())) {
      Set<Pseudonym> any = new LinkedHashSet<>();
      for (String alt : v.split(",")) {
        String id = alt.strip();
        if (id.startsWith("Patient/")) id = id.substring("Patient/".length());
        if (id.isEmpty() || !id.matches("[A-Za-z0-9\\-.]{1,64}")) {
          throw new WardException.InvalidRequest("patient must be a Patient reference or id, was '" + clip(alt) + "'");
        }
        Pseudonym p = vault.patientPseudonym(id);
        any.add(p);
        known.put(p, id);
      }
      all.add(e -> e.patients().stream().anyMatch(any::contains));
    }
    for (String v : params.getOrDefault("agent", List.of())) {
      Set<Pseudonym> any = new LinkedHashSet<>();
      for (String alt : v.split(",")) {
        String id = alt.strip();
        int bar = id.indexOf('|');
        if (bar >= 0) id = id.substring(bar + 1);
        if (id.isEmpty()) throw new WardException.InvalidRequest("agent must be an actor id (" + ACTOR_SYSTEM + "|id)");
        any.add(vault.pseudonym("actor", id));
      }
      all.add(e -> any.contains(e.actor()));
    }
    for (String v : params.getOrDefault("action", List.of())) {
      Set<String> any = new LinkedHashSet<>();
      for (String alt : v.split(",")) {
        String a = alt.strip().toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("C", "R", "U", "D", "E").contains(a)) {
          throw new WardException.InvalidRequest("action must be C, R, U, D or E, was '" + clip(alt) + "'");
        }
        any.add(a);
      }
      all.add(e -> any.contains(action(e.interaction()).toCode()));
    }
    long low = Long.MIN_VALUE, high = Long.MAX_VALUE;
    List<Object[]> dates = new ArrayList<>();
    for (String v : params.getOrDefault("date", List.of())) {
      String prefix = "eq", rest = v.strip();
      if (rest.length() > 2 && Character.isLetter(rest.charAt(0))) {
        prefix = rest.substring(0, 2);
        rest = rest.substring(2);
      }
      if (!Set.of("eq", "gt", "lt", "ge", "le").contains(prefix)) {
        throw new WardException.InvalidRequest("unsupported date prefix '" + prefix + "' (supported: eq, gt, lt, ge, le)");
      }
      DateRange q = DateRange.parseSearchValue(rest);
      dates.add(new Object[] {prefix, q});
      switch (prefix) {
        case "eq" -> { low = Math.max(low, q.low()); high = Math.min(high, q.high() - 1); }
        case "gt", "ge" -> low = Math.max(low, prefix.equals("gt") ? q.high() : q.low());
        default -> high = Math.min(high, prefix.equals("lt") ? q.low() - 1 : q.high() - 1);
      }
    }
    for (Object[] d : dates) {
      String prefix = (String) d[0];
      DateRange q = (DateRange) d[1];
      all.add(e -> {
        long t = e.at().toEpochMilli();
        return new DateRange(t, t + 1).matches(prefix, q);
      });
    }
    Instant from = low == Long.MIN_VALUE ? null : Instant.ofEpochMilli(low);
    Instant to = high == Long.MAX_VALUE ? null : Instant.ofEpochMilli(high);
    return new Criteria(from, to, e -> all.stream().allMatch(p -> p.test(e)), known);
  }

  /** BALP's action code of a FHIR interaction. */
  static AuditEventAction action(String interaction) {
    return switch (interaction) {
      case "create" -> AuditEventAction.C;
      case "read", "vread", "history-instance", "history-type", "history-system" -> AuditEventAction.R;
      case "update", "patch" -> AuditEventAction.U;
      case "delete" -> AuditEventAction.D;
      default -> AuditEventAction.E; // searches, transactions, batches, operations
    };
  }

  /** The AuditEvent of one entry, with its sealed details opened. */
  static AuditEvent render(AuditLog.Indexed indexed, AuditDetails details, Map<Pseudonym, String> knownPatients) {
    AuditEntry e = indexed.entry();
    AuditEvent ae = new AuditEvent();
    ae.setId(Long.toString(indexed.index()));
    if (REST.contains(e.interaction())) {
      ae.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"));
      ae.addSubtype(new Coding("http://hl7.org/fhir/restful-interaction", e.interaction(), e.interaction()));
    } else {
      // Identity and administration events: DICOM's "User Authentication" for sign-in and
      // sign-out, "Security Alert" for the rest (account, token and emergency-access changes).
      boolean login = e.interaction().equals("sign-in") || e.interaction().equals("sign-out");
      ae.setType(login
          ? new Coding("http://dicom.nema.org/resources/ontology/DCM", "110114", "User Authentication")
          : new Coding("http://dicom.nema.org/resources/ontology/DCM", "110113", "Security Alert"));
      ae.addSubtype(new Coding(WARD_EVENTS, e.interaction(), e.interaction()));
    }
    ae.setAction(action(e.interaction()));
    ae.setRecorded(Date.from(e.at()));
    ae.setOutcome(
        switch (e.outcome()) {
          case ALLOWED -> AuditEventOutcome._0;
          case DENIED -> AuditEventOutcome._4;
          case FAILED -> AuditEventOutcome._8;
        });
    ae.setOutcomeDesc(e.outcome() == Outcome.ALLOWED ? "allowed by rule " + e.rule() : e.outcome().name().toLowerCase(java.util.Locale.ROOT) + " by rule " + e.rule());
    if (!e.purposeOfUse().isEmpty()) {
      ae.addPurposeOfEvent().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", e.purposeOfUse(), null));
    }
    if (e.emergency()) ae.addExtension(EMERGENCY_EXTENSION, new BooleanType(true));

    AuditEvent.AuditEventAgentComponent agent = ae.addAgent();
    if (!e.actorRole().isEmpty()) agent.getType().addCoding(new Coding(ROLE_SYSTEM, e.actorRole(), null));
    agent.setWho(
        e.firstFormat()
            // The first entry format recorded who acted only as a pseudonym.
            ? new Reference().setIdentifier(new Identifier().setSystem(ACTOR_PSEUDONYM_SYSTEM).setValue(e.actor().hex()))
            : new Reference().setIdentifier(new Identifier().setSystem(ACTOR_SYSTEM).setValue(details.actorId())).setDisplay(details.actorName()));
    agent.setRequestor(true);
    agent.addPolicy(POLICY_BASE + e.rule());
    if (!e.purposeOfUse().isEmpty()) {
      agent.addPurposeOfUse().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", e.purposeOfUse(), null));
    }
    if (details.address() != null) {
      agent.getNetwork().setAddress(details.address()).setType(AuditEvent.AuditEventAgentNetworkType._2);
    }
    if (details.userAgent() != null) agent.addExtension("https://ward.health/fhir/StructureDefinition/user-agent", new org.hl7.fhir.r4.model.StringType(details.userAgent()));

    ae.getSource().setObserver(new Reference().setDisplay("Ward"))
        .addType(new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));

    if (!e.searchShape().isEmpty()) {
      AuditEvent.AuditEventEntityComponent q = ae.addEntity();
      q.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
      q.setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "24", "Query"));
      q.setDescription(e.resourceType() + "?" + e.searchShape().replace(",", "&"));
      q.addExtension(SHAPE_EXTENSION, new org.hl7.fhir.r4.model.StringType(e.searchShape()));
    }
    for (Pseudonym p : e.patients()) {
      AuditEvent.AuditEventEntityComponent pe = ae.addEntity();
      pe.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"));
      pe.setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"));
      String id = knownPatients.get(p);
      if (id == null) id = patientIdIn(details.references().get(p));
      Reference what = new Reference();
      if (id != null) what.setReference("Patient/" + id);
      what.setIdentifier(new Identifier().setSystem(PATIENT_PSEUDONYM_SYSTEM).setValue(p.hex()));
      pe.setWhat(what);
      if (details.unreadable().contains(p)) pe.setDescription("details erased: the patient's key was destroyed");
    }
    for (var refs : details.references().values()) for (String ref : refs) domainResource(ae, ref);
    for (String ref : details.unownedReferences()) domainResource(ae, ref);
    return ae;
  }

  private static void domainResource(AuditEvent ae, String ref) {
    AuditEvent.AuditEventEntityComponent r = ae.addEntity();
    r.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
    r.setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "4", "Domain Resource"));
    r.setWhat(new Reference(ref));
  }

  private static String patientIdIn(List<String> refs) {
    if (refs == null) return null;
    for (String ref : refs) if (ref.startsWith("Patient/")) return ref.substring("Patient/".length());
    return null;
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
