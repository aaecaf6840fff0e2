package health.ward.records;

import health.ward.access.Action;
import health.ward.access.CarePolicy;
import health.ward.access.Decision;
import health.ward.access.PatientFacts;
import health.ward.access.Policy;
import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.audit.AccessEvent.Outcome;
import health.ward.audit.AuditLog;
import health.ward.audit.AuditTrail;
import health.ward.audit.Touch;
import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.ledger.Ledger;
import health.ward.store.CareFact;
import health.ward.store.PostgresCareStore;
import health.ward.store.Query;
import health.ward.store.RecordStore;
import health.ward.store.StoredRecord;
import health.ward.store.VersionWrite;
import health.ward.store.Visibility;
import health.ward.vault.RecordVault;
import health.ward.watch.AccessWatch;
import health.ward.watch.Alert;
import health.ward.watch.AlertStore;
import health.ward.watch.Verdict;
import health.ward.watch.Watch;
import health.ward.watch.WatchFlags;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door to patient records: every operation decides, records the access in the ledger
 * (fail closed: if the ledger cannot take the entry, nothing is returned or written), and only then
 * acts. HTTP handlers and commands call this and nothing below it. Failures are
 * {@link WardException}s.
 */
public final class RecordsService {
  /** Most candidates a date-filtered search decrypts before asking for a narrower search. */
  static final int MAX_FILTER_CANDIDATES = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(RecordsService.class);

  private final RecordStore store;
  private final RecordVault vault;
  private final AuditTrail trail;
  private final AuditLog auditLog;
  private final Policy policy;
  private final PostgresCareStore care;
  private final CareSettings settings;
  private final Clock clock;
  private final Ids ids;
  private final Transactions transactions;
  private final AccessWatch watch;

  public RecordsService(
      RecordStore store, RecordVault vault, AuditTrail trail, AuditLog auditLog, Policy policy, PostgresCareStore care,
      CareSettings settings, Clock clock, SecureRandom random) {
    this(store, vault, trail, auditLog, policy, care, settings, clock, random, AccessWatch.NONE);
  }

  public RecordsService(
      RecordStore store, RecordVault vault, AuditTrail trail, AuditLog auditLog, Policy policy, PostgresCareStore care,
      CareSettings settings, Clock clock, SecureRandom random, AccessWatch watch) {
    this.watch = java.util.Objects.requireNonNull(watch, "watch");
    this.store = store;
    this.vault = vault;
    this.trail = trail;
    this.auditLog = auditLog;
    this.policy = policy;
    this.care = care;
    this.settings = settings;
    this.clock = clock;
    this.ids = new Ids(random);
    this.transactions = new Transactions(this);
  }

  /** Resource types this server stores (every type a Synthea bundle contains, and more). */
  public Set<String> resourceTypes() {
    return ResourceCatalog.types();
  }

  /** Search parameters supported for a type, for the CapabilityStatement. */
  public List<String> searchParameters(String type) {
    requireType(type);
    return List.copyOf(SearchParameters.forType(type).keySet());
  }

  // ---- reads ----------------------------------------------------------------------------------

  public Resource read(RequestContext ctx, String type, String id) {
    requireType(type);
    requireId(id);
    Decision d = decide(ctx, Action.READ, type, "read");
    return open(ctx, "read", type, d, store.current(type, id), type + "/" + id, "was deleted");
  }

  public Resource vread(RequestContext ctx, String type, String id, long version) {
    requireType(type);
    requireId(id);
    Decision d = decide(ctx, Action.READ, type, "vread");
    Optional<StoredRecord> found = version < 1 ? Optional.empty() : store.version(type, id, version);
    return open(ctx, "vread", type, d, found, type + "/" + id + "/_history/" + version, "is a deletion");
  }

  /** Audits a read of {@code found} (or of nothing), then opens it; deletions are Gone. */
  private Resource open(
      RequestContext ctx, String interaction, String type, Decision d, Optional<StoredRecord> found,
      String what, String deletedMessage) {
    if (found.isEmpty()) {
      audit(ctx, interaction, type, "", List.of(), Outcome.FAILED, d.rule());
      throw new WardException.NotFound(what + " is not known");
    }
    StoredRecord rec = found.get();
    Decision pd = decideForPatient(ctx, Action.READ, type, interaction, d, rec.patient(), false, List.of(touch(rec)));
    Ledger.Durable entry =
        admit(ctx, event(ctx, interaction, type, "", List.of(touch(rec)), rec.deleted() ? Outcome.FAILED : Outcome.ALLOWED, pd));
    if (rec.deleted()) {
      entry.await();
      throw new WardException.Gone(what + " " + deletedMessage);
    }
    // Decrypt and parse while the group commit runs; nothing is returned before the entry is durable.
    Resource opened;
    try {
      opened = materialise(rec);
    } finally {
      entry.await();
    }
    return opened;
  }

  /** Every version, newest first. */
  public List<HistoryEntry> history(RequestContext ctx, String type, String id) {
    requireType(type);
    requireId(id);
    Decision d = decide(ctx, Action.HISTORY, type, "history-instance");
    List<StoredRecord> versions = store.history(type, id);
    if (versions.isEmpty()) {
      audit(ctx, "history-instance", type, "", List.of(), Outcome.FAILED, d.rule());
      throw new WardException.NotFound(type + "/" + id + " is not known");
    }
    List<Touch> historyTouch = List.of(touch(versions.get(0)));
    Decision pd = decideForPatient(ctx, Action.HISTORY, type, "history-instance", d, versions.get(0).patient(), false, historyTouch);
    audit(ctx, "history-instance", type, "", historyTouch, Outcome.ALLOWED, pd);
    List<HistoryEntry> out = new ArrayList<>(versions.size());
    for (StoredRecord rec : versions) {
      Resource r = materialise(rec);
      Instant updated = r.getMeta().getLastUpdated() == null ? null : r.getMeta().getLastUpdated().toInstant();
      out.add(new HistoryEntry(type, id, rec.version(), rec.deleted(), updated, rec.deleted() ? null : r));
    }
    return out;
  }

  public SearchResult search(RequestContext ctx, String type, SearchRequest request) {
    requireType(type);
    Decision d = decide(ctx, Action.SEARCH, type, "search-type");
    Includes includes = Includes.parse(type, request.parameters());
    SearchPlan plan = SearchPlan.compile(type, includes.rest());
    boolean newestFirst = sortNewestFirst(request.sort());
    Visibility narrowing = visibility(ctx, d, type);
    // A search within one patient's compartment (patient=X or subject=Patient/X, as clinicians
    // search) is decided once for that patient: all of it is visible, or none of it.
    String only = narrowing == null ? null : singlePatient(type, request.parameters());
    if (only != null) {
      Decision pd = searchDecision(ctx, d, type, vault.patientPseudonym(only));
      if (!pd.allowed()) {
        audit(ctx, "search-type", type, plan.shape(), List.of(), Outcome.ALLOWED, d.rule());
        return new SearchResult(List.of(), 0);
      }
      narrowing = null;
      d = pd;
    }
    Query base = new Query(tokens(type, plan.groups()), 0, 0, newestFirst, narrowing);
    List<StoredRecord> page;
    List<Resource> opened = null;
    long total;
    if (plan.filters().isEmpty()) {
      if (request.countOnly()) {
        total = store.count(type, base);
        page = List.of();
      } else {
        page = store.search(type, new Query(base.allOf(), request.offset(), request.count(), newestFirst, base.visibility()));
        boolean complete = page.size() < request.count() && (request.offset() == 0 || !page.isEmpty());
        total = complete ? request.offset() + page.size() : store.count(type, base);
      }
    } else {
      List<StoredRecord> candidates =
          store.search(type, new Query(base.allOf(), 0, MAX_FILTER_CANDIDATES + 1, newestFirst, base.visibility()));
      if (candidates.size() > MAX_FILTER_CANDIDATES) {
        throw new WardException.InvalidRequest(
            "this date search matches too many " + type + " resources; narrow it with another parameter");
      }
      Predicate<Resource> keep = r -> plan.filters().stream().allMatch(f -> f.test(r));
      List<StoredRecord> matchedRecs = new ArrayList<>();
      List<Resource> matched = new ArrayList<>();
      for (StoredRecord rec : candidates) {
        Resource r = materialise(rec);
        if (keep.test(r)) {
          matchedRecs.add(rec);
          matched.add(r);
        }
      }
      total = matched.size();
      int from = Math.min(request.offset(), matched.size());
      int to = request.countOnly() ? from : Math.min(matched.size(), from + request.count());
      page = matchedRecs.subList(from, to);
      opened = matched.subList(from, to);
    }
    List<Touch> touched = new ArrayList<>(page.size());
    for (StoredRecord rec : page) touched.add(touch(rec));
    List<StoredRecord> includedRecs = List.of();
    if (!includes.isEmpty() && !page.isEmpty()) {
      if (opened == null) {
        opened = new ArrayList<>(page.size());
        for (StoredRecord rec : page) opened.add(materialise(rec));
      }
      includedRecs = included(ctx, includes, opened);
      for (StoredRecord rec : includedRecs) touched.add(touch(rec));
    }
    // Records shown through a break-the-glass grant flag the search as emergency access.
    Visibility v = base.visibility();
    boolean emergency = v != null && !v.emergency().isEmpty() && page.stream().anyMatch(r -> v.emergency().contains(r.patient()));
    audit(ctx, "search-type", type, plan.shape(), touched, Outcome.ALLOWED, emergency ? Decision.emergency(d.rule()) : d);
    if (opened == null) {
      opened = new ArrayList<>(page.size());
      for (StoredRecord rec : page) opened.add(materialise(rec));
    }
    List<Resource> included = new ArrayList<>(includedRecs.size());
    for (StoredRecord rec : includedRecs) included.add(materialise(rec));
    return new SearchResult(opened, total, included);
  }

  /** Most resources {@code _include} and {@code _revinclude} may add to one page. */
  static final int MAX_INCLUDED = 1000;

  /**
   * The records {@code _include} (the patients of the page's resources) and {@code _revinclude}
   * (resources of a type that name the page's patients) add. Each included type is decided like a
   * search of it (a principal that may not search it is refused the whole request), and what is
   * added goes through the same narrowing as a search of that type, so it reveals nothing a search
   * would not.
   */
  private List<StoredRecord> included(RequestContext ctx, Includes includes, List<Resource> page) {
    List<StoredRecord> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    if (includes.patient()) {
      Decision d = decide(ctx, Action.SEARCH, "Patient", "search-type");
      Visibility v = visibility(ctx, d, "Patient");
      for (Resource r : page) {
        String id = ResourceCatalog.patientOf(r);
        if (id == null || !seen.add("Patient/" + id)) continue;
        store.current("Patient", id).filter(rec -> !rec.deleted())
            .filter(rec -> v == null || rec.patient() == null || searchDecision(ctx, d, "Patient", rec.patient()).allowed())
            .ifPresent(out::add);
      }
    }
    for (Includes.Reverse rev : includes.reverse()) {
      Decision d = decide(ctx, Action.SEARCH, rev.type(), "search-type");
      Visibility v = visibility(ctx, d, rev.type());
      for (Resource r : page) {
        String id = r.getIdElement().getIdPart();
        SearchPlan byPatient = SearchPlan.compile(rev.type(), Map.of(rev.parameter(), List.of("Patient/" + id)));
        List<StoredRecord> found =
            store.search(rev.type(), new Query(tokens(rev.type(), byPatient.groups()), 0, MAX_INCLUDED + 1, false, v));
        for (StoredRecord rec : found) {
          if (seen.add(rec.type() + "/" + rec.id())) out.add(rec);
        }
        if (out.size() > MAX_INCLUDED) break;
      }
    }
    if (out.size() > MAX_INCLUDED) {
      throw new WardException.InvalidRequest(
          "_include/_revinclude would add more than " + MAX_INCLUDED + " resources to this page; use a smaller _count");
    }
    return out;
  }

  /** Whether (and by which rule) a search of {@code type} allowed with {@code d} may show {@code patient}'s records. */
  private Decision searchDecision(RequestContext ctx, Decision d, String type, Pseudonym patient) {
    return policy.decideForPatient(ctx.principal(), Action.SEARCH, type, facts(ctx, d, patient, false));
  }

  /**
   * Searches the audit log ({@code AuditEvent}, IHE BALP-shaped; parameters patient, agent, date,
   * action), newest first. Decided like any access (the policy lets auditors search it), and itself
   * recorded in the ledger — with every patient whose access history it showed — before the
   * sealed details are opened and returned.
   */
  public SearchResult searchAuditEvents(RequestContext ctx, SearchRequest request) {
    Decision d = decide(ctx, Action.SEARCH, AuditEvents.TYPE, "search-type");
    AuditEvents.Criteria criteria = AuditEvents.criteria(request.parameters(), vault);
    List<AuditLog.Indexed> matched = new ArrayList<>();
    auditLog.scan(criteria.from(), criteria.to(), criteria.match(), e -> {
      if (matched.size() >= AuditEvents.MAX_MATCHES) {
        throw new WardException.InvalidRequest(
            "this AuditEvent search matches more than " + AuditEvents.MAX_MATCHES + " entries; narrow it with date, patient or agent");
      }
      matched.add(e);
      return true;
    });
    java.util.Collections.reverse(matched);
    int from = Math.min(request.offset(), matched.size());
    int to = request.countOnly() ? from : Math.min(matched.size(), from + request.count());
    List<AuditLog.Indexed> page = matched.subList(from, to);
    List<Touch> touched = new ArrayList<>();
    for (AuditLog.Indexed e : page) {
      for (Pseudonym p : e.entry().patients()) touched.add(new Touch(p, AuditEvents.TYPE, Long.toString(e.index())));
      if (e.entry().patients().isEmpty()) touched.add(new Touch(null, AuditEvents.TYPE, Long.toString(e.index())));
    }
    audit(ctx, "search-type", AuditEvents.TYPE, String.join(",", new java.util.TreeSet<>(request.parameters().keySet())),
        touched, Outcome.ALLOWED, d.rule());
    List<Resource> events = new ArrayList<>(page.size());
    for (AuditLog.Indexed e : page) events.add(AuditEvents.render(e, trail.open(e.entry()), criteria.knownPatients()));
    return new SearchResult(events, matched.size());
  }

  /** Search parameters of the audit log's FHIR view. */
  public List<String> auditEventSearchParameters() {
    return AuditEvents.PARAMETERS;
  }

  private static boolean sortNewestFirst(String sort) {
    if (sort == null || sort.isEmpty() || sort.equals("_lastUpdated")) return false;
    if (sort.equals("-_lastUpdated")) return true;
    throw new WardException.InvalidRequest("unsupported _sort '" + sort + "' (supported: _lastUpdated, -_lastUpdated)");
  }

  // ---- writes ---------------------------------------------------------------------------------

  /** Creates with a server-assigned id; with {@code ifNoneExist} a matching resource is returned instead. */
  public WriteResult create(RequestContext ctx, Resource resource, String ifNoneExist) {
    String type = resource.fhirType();
    requireType(type);
    Decision d = decide(ctx, Action.CREATE, type, "create");
    if (ifNoneExist != null && !ifNoneExist.isBlank()) {
      Optional<StoredRecord> existing = matchOne(type, ifNoneExist, "If-None-Exist");
      if (existing.isPresent()) {
        StoredRecord rec = existing.get();
        Decision pd = decideForPatient(ctx, Action.READ, type, "create", d, rec.patient(), false, List.of(touch(rec)));
        audit(ctx, "create", type, "", List.of(touch(rec)), Outcome.ALLOWED, pd);
        return new WriteResult(type, rec.id(), rec.version(), materialise(rec), false);
      }
    }
    Transactions.Plan plan = transactions.planSingle(resource, type, ids.next(), true);
    return commit(ctx, "create", type, d, plan).get(0);
  }

  /**
   * Updates (or creates with a client-chosen id). {@code expectedVersion} from If-Match, or null.
   * An update whose content equals the current version stores nothing new.
   */
  public WriteResult update(RequestContext ctx, String type, String id, Resource resource, Long expectedVersion) {
    requireType(type);
    requireId(id);
    if (!type.equals(resource.fhirType())) {
      throw new WardException.InvalidResource(
          "the body is a " + resource.fhirType() + " but the URL names " + type);
    }
    String bodyId = resource.getIdElement().getIdPart();
    if (bodyId != null && !bodyId.equals(id)) {
      throw new WardException.InvalidResource("the body's id '" + bodyId + "' does not match the URL's id '" + id + "'");
    }
    Decision d = decide(ctx, Action.UPDATE, type, "update");
    Transactions.Plan plan = transactions.planSingle(resource, type, id, false);
    if (expectedVersion != null) plan.expect(type, id, expectedVersion);
    return commit(ctx, "update", type, d, plan).get(0);
  }

  public WriteResult delete(RequestContext ctx, String type, String id) {
    requireType(type);
    requireId(id);
    Decision d = decide(ctx, Action.DELETE, type, "delete");
    Transactions.Plan plan = transactions.planDelete(type, id);
    return commit(ctx, "delete", type, d, plan).get(0);
  }

  /** Processes a {@code transaction} (all or nothing) or {@code batch} bundle; returns the response bundle. */
  public Bundle transaction(RequestContext ctx, Bundle bundle) {
    return transactions.process(ctx, bundle);
  }

  /** Records a request refused before it reached a principal (no or bad credentials). */
  public void recordUnauthenticated(String address, String userAgent, String interaction, String resourceType) {
    trail.record(
        new AccessEvent(
            clock.instant(),
            "unauthenticated",
            "unauthenticated",
            "unauthenticated",
            null,
            interaction == null ? "unknown" : interaction,
            resourceType == null ? "*" : resourceType,
            "",
            List.of(),
            Outcome.DENIED,
            "authentication",
            false,
            "TREAT",
            address,
            userAgent));
  }

  // ---- shared machinery (used by Transactions) -------------------------------------------------

  Decision decide(RequestContext ctx, Action action, String type, String interaction) {
    Decision d;
    try {
      d = policy.decide(ctx.principal(), action, type, kind(type));
    } catch (RuntimeException e) {
      // A policy that cannot decide denies: fail closed.
      d = Decision.deny("policy-error", "the access policy could not decide");
    }
    if (!d.allowed()) {
      audit(ctx, interaction, type, "", List.of(), Outcome.DENIED, d.rule());
      throw new WardException.Forbidden(d.reason());
    }
    return d;
  }

  static Policy.Kind kind(String type) {
    if (AuditEvents.TYPE.equals(type)) return Policy.Kind.AUDIT_LOG;
    if ("Bundle".equals(type)) return Policy.Kind.BUNDLE;
    return ResourceCatalog.patientElement(type) != null || "Patient".equals(type) ? Policy.Kind.PATIENT_DATA : Policy.Kind.DIRECTORY;
  }

  /**
   * The patient-level decision for an access to {@code patient}'s record that {@code byType}
   * allowed by type: gathers what relates the principal to the patient (care facts, consents,
   * emergency grants; with {@code X-Break-Glass}, a new grant) and asks the policy. A denial is
   * recorded, naming the patient, and thrown as Forbidden.
   */
  Decision decideForPatient(
      RequestContext ctx, Action action, String type, String interaction, Decision byType, Pseudonym patient,
      boolean newPatient, List<Touch> touched) {
    if (patient == null || byType.reach() == Decision.Reach.EVERY_PATIENT) return byType;
    Principal who = ctx.principal();
    Decision d;
    try {
      d = policy.decideForPatient(who, action, type, facts(ctx, byType, patient, newPatient));
      if (!d.allowed() && "no-care-relationship".equals(d.rule()) && ctx.emergencyReason() != null
          && CarePolicy.mayBreakGlass(who)) {
        grantEmergency(ctx, patient, touched.get(0), ctx.emergencyReason());
        d = policy.decideForPatient(who, action, type, facts(ctx, byType, patient, newPatient));
      }
    } catch (WardException e) {
      throw e;
    } catch (RuntimeException e) {
      d = Decision.deny("policy-error", "the access policy could not decide");
    }
    if (!d.allowed()) {
      audit(ctx, interaction, type, "", touched, Outcome.DENIED, d.rule());
      throw new WardException.Forbidden(d.reason());
    }
    return d;
  }

  private PatientFacts facts(RequestContext ctx, Decision byType, Pseudonym patient, boolean newPatient) {
    if (newPatient) return new PatientFacts(Set.of(), false, false, true);
    Instant now = clock.instant();
    Principal who = ctx.principal();
    boolean relating = byType.reach() == Decision.Reach.RELATED_PATIENTS;
    List<byte[]> actors = actorTokens(who);
    Set<String> kinds = care.facts(patient, relating ? actors : List.of(), denySubjects(ctx, actors), now,
        now.minus(settings.encounterWindow()));
    boolean denied = kinds.contains(CareFact.CONSENT_DENY);
    Set<PatientFacts.Relationship> related = EnumSet.noneOf(PatientFacts.Relationship.class);
    for (String kind : kinds) {
      switch (kind) {
        case CareFact.CARE_TEAM -> related.add(PatientFacts.Relationship.CARE_TEAM);
        case CareFact.ENCOUNTER -> related.add(PatientFacts.Relationship.ENCOUNTER);
        case CareFact.ADMITTED -> related.add(PatientFacts.Relationship.DEPARTMENT);
        default -> {}
      }
    }
    boolean emergency = relating && (related.isEmpty() || denied) && care.emergencyPatients(who.id(), now).contains(patient);
    return new PatientFacts(related, denied, emergency, false);
  }

  private List<byte[]> actorTokens(Principal who) {
    List<byte[]> out = new ArrayList<>();
    for (String ref : who.actorReferences()) out.add(CareFacts.actorToken(vault, ref));
    return out;
  }

  /** What a consent may deny this request by: the principal's actor tokens and its declared purpose. */
  private List<byte[]> denySubjects(RequestContext ctx, List<byte[]> actors) {
    List<byte[]> out = new ArrayList<>(actors);
    out.add(CareFacts.purposeToken(vault, ctx.purposeOfUse()));
    return out;
  }

  /** The one patient id a search is confined to by {@code patient} or {@code subject}, or null. */
  private static String singlePatient(String type, Map<String, List<String>> params) {
    String found = null;
    for (String name : List.of("patient", "subject")) {
      List<String> values = params.get(name);
      if (values == null) continue;
      if (values.size() != 1 || values.get(0).contains(",")) return null;
      String v = values.get(0);
      String id = v.startsWith("Patient/") ? v.substring("Patient/".length()) : name.equals("patient") && !v.contains("/") ? v : null;
      if (id == null || !Ids.isValid(id) || (found != null && !found.equals(id))) return null;
      found = id;
    }
    return ResourceCatalog.patientElement(type) == null ? null : found;
  }

  /** What a search allowed with {@code d} may return of {@code type}, or null for everything. */
  private Visibility visibility(RequestContext ctx, Decision d, String type) {
    if (d.reach() == Decision.Reach.EVERY_PATIENT || kind(type) != Policy.Kind.PATIENT_DATA) return null;
    Instant now = clock.instant();
    boolean related = d.reach() == Decision.Reach.RELATED_PATIENTS;
    List<byte[]> actors = actorTokens(ctx.principal());
    return new Visibility(
        related, related ? actors : List.of(), now, now.minus(settings.encounterWindow()),
        denySubjects(ctx, actors), related ? care.emergencyPatients(ctx.principal().id(), now) : List.of());
  }

  /**
   * Decides every item of a write by type and by patient (a patient created in the same write
   * counts as new); returns the decision to record: the first patient-level one, flagged as an
   * emergency if any item needed the glass broken.
   */
  private Decision decideWrites(
      RequestContext ctx, String interaction, String type, Decision d, Transactions.Plan plan, List<Touch> touched) {
    Set<Pseudonym> created = new java.util.HashSet<>();
    for (Transactions.Item i : plan.items()) {
      if (i.type().equals("Patient") && i.created() && i.patient() != null) created.add(i.patient());
    }
    Decision result = d;
    boolean emergency = false;
    java.util.Map<String, Decision> byType = new java.util.HashMap<>();
    for (Transactions.Item i : plan.items()) {
      Action action = i.deleted() ? Action.DELETE : i.created() ? Action.CREATE : i.write() == null ? Action.READ : Action.UPDATE;
      Decision t = byType.get(action + " " + i.type());
      if (t == null) {
        t = decide(ctx, action, i.type(), interaction);
        byType.put(action + " " + i.type(), t);
      }
      Decision pd = decideForPatient(ctx, action, i.type(), interaction, t, i.patient(), created.contains(i.patient()), touched);
      if (result == d) result = pd;
      emergency |= pd.emergency();
    }
    return emergency && !result.emergency() ? Decision.emergency(result.rule()) : result;
  }

  // ---- break-the-glass -------------------------------------------------------------------------

  /** A granted emergency access, as the clinician is told. */
  public record EmergencyAccess(long grant, String patientId, Instant expires) {}

  /**
   * Breaks the glass: gives the calling clinician time-boxed access to one patient for a stated
   * reason. Recorded in the ledger (flagged as an emergency, purpose ETREAT) before the grant
   * exists, listed for review by security officers, and logged for them at WARN.
   */
  public EmergencyAccess breakGlass(RequestContext ctx, String patientId, String reason) {
    requireId(patientId);
    String why = RequestContext.emergencyReason(reason);
    if (why == null) throw new WardException.InvalidRequest("breaking the glass needs a reason");
    Principal who = ctx.principal();
    if (!CarePolicy.mayBreakGlass(who)) {
      audit(ctx, "break-glass", "Patient", "", List.of(), Outcome.DENIED, "break-glass-clinicians-only");
      throw new WardException.Forbidden("only physicians and nurses signed in as themselves may break the glass");
    }
    StoredRecord patient = store.current("Patient", patientId)
        .filter(r -> !r.deleted())
        .orElseThrow(() -> {
          audit(ctx, "break-glass", "Patient", "", List.of(), Outcome.FAILED, "break-the-glass");
          return new WardException.NotFound("Patient/" + patientId + " is not known");
        });
    long grant = grantEmergency(ctx, patient.patient(), touch(patient), why);
    return new EmergencyAccess(grant, patientId, clock.instant().plus(settings.emergencyAccess()));
  }

  private long grantEmergency(RequestContext ctx, Pseudonym patient, Touch what, String reason) {
    Principal who = ctx.principal();
    Instant now = clock.instant();
    long index = admit(ctx,
        event(ctx, "break-glass", what.resourceType(), "", List.of(what),
            Outcome.ALLOWED, "break-the-glass", true)).await();
    byte[] sealed = vault.sealDetail(patient, grantContext(who.id(), index), reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    long id = care.grant(who.id(), who.name(), patient, what.resourceType() + "/" + what.id(), now, now.plus(settings.emergencyAccess()), sealed, index);
    LOG.warn("break-the-glass: {} ({}) was granted emergency access, grant {} (ledger entry {}); a security officer must review it",
        who.name(), who.role().code(), id, index);
    return id;
  }

  private static byte[] grantContext(String actor, long ledgerIndex) {
    return health.ward.common.Canonical.builder().text("ward.emergency-reason").text(actor).number(ledgerIndex).encode();
  }

  /** One grant for review, with its reason opened. */
  public record EmergencyReview(
      long grant, String actor, String actorName, String resource, Instant granted, Instant expires, String reason,
      long ledgerIndex, Instant reviewed, String reviewedBy, String verdict) {}

  /** Break-the-glass grants for review (security officers only), newest first; itself recorded. */
  public List<EmergencyReview> emergencyGrants(RequestContext ctx, boolean openOnly) {
    requireSecurityOfficer(ctx, "break-glass-review");
    List<PostgresCareStore.EmergencyGrant> grants = care.grants(openOnly);
    List<Touch> touched = new ArrayList<>();
    for (PostgresCareStore.EmergencyGrant g : grants) touched.add(touch(g.patient(), "Patient", g.resource()));
    audit(ctx, "break-glass-review", "Patient", openOnly ? "open" : "all", touched, Outcome.ALLOWED, "security-officer");
    List<EmergencyReview> out = new ArrayList<>(grants.size());
    for (PostgresCareStore.EmergencyGrant g : grants) out.add(review(g));
    return out;
  }

  /** Closes the review of one grant with a verdict ({@code justified} or {@code unjustified}). */
  public EmergencyReview reviewEmergency(RequestContext ctx, long grant, String verdict) {
    requireSecurityOfficer(ctx, "break-glass-review");
    if (!"justified".equals(verdict) && !"unjustified".equals(verdict)) {
      throw new WardException.InvalidRequest("a verdict is 'justified' or 'unjustified'");
    }
    PostgresCareStore.EmergencyGrant g =
        care.grant(grant).orElseThrow(() -> new WardException.NotFound("no break-the-glass grant " + grant));
    audit(ctx, "break-glass-review", "Patient", verdict, List.of(touch(g.patient(), "Patient", g.resource())), Outcome.ALLOWED, "security-officer");
    if (!care.review(grant, ctx.principal().name(), verdict, clock.instant())) {
      throw new WardException.InvalidRequest("break-the-glass grant " + grant + " was already reviewed");
    }
    return review(care.grant(grant).orElseThrow());
  }

  // ---- watch: alerts and flags ------------------------------------------------------------------

  /** Alerts, newest first (security officers only; at most 500), optionally of one status; itself recorded. */
  public List<Alert> alerts(RequestContext ctx, String status) {
    requireSecurityOfficer(ctx, "watch-alerts");
    Watch w = requireWatch();
    List<Alert> out = w.store().list(status, 500);
    audit(ctx, "watch-alerts", "*", status == null ? "all" : status, List.of(), Outcome.ALLOWED, "security-officer");
    return out;
  }

  /** Acknowledges an open alert (security officers); recorded. */
  public Alert acknowledgeAlert(RequestContext ctx, long id) {
    requireSecurityOfficer(ctx, "watch-alert-acknowledge");
    Watch w = requireWatch();
    w.store().find(id).orElseThrow(() -> new WardException.NotFound("no alert " + id));
    audit(ctx, "watch-alert-acknowledge", "*", Long.toString(id), List.of(), Outcome.ALLOWED, "security-officer");
    if (!w.store().acknowledge(id, ctx.principal().name(), clock.instant())) {
      throw new WardException.InvalidRequest("alert " + id + " is not open");
    }
    return w.store().find(id).orElseThrow();
  }

  /** Closes an alert with a verdict (true-positive, false-positive, benign); recorded; final. */
  public Alert closeAlert(RequestContext ctx, long id, String verdict) {
    requireSecurityOfficer(ctx, "watch-alert-close");
    if (!AlertStore.VERDICTS.contains(verdict)) {
      throw new WardException.InvalidRequest("a verdict is one of " + String.join(", ", AlertStore.VERDICTS));
    }
    Watch w = requireWatch();
    w.store().find(id).orElseThrow(() -> new WardException.NotFound("no alert " + id));
    audit(ctx, "watch-alert-close", "*", id + " " + verdict, List.of(), Outcome.ALLOWED, "security-officer");
    if (!w.store().close(id, verdict, ctx.principal().name(), clock.instant())) {
      throw new WardException.InvalidRequest("alert " + id + " was already closed");
    }
    return w.store().find(id).orElseThrow();
  }

  /** Flags a patient (canary, vip, staff) for the watch (security officers, or the host operator); recorded. */
  public boolean flagPatient(RequestContext ctx, String patientId, String flag, String note, boolean add) {
    requireSecurityOfficer(ctx, "watch-flag");
    requireId(patientId);
    Watch w = requireWatch();
    StoredRecord patient = store.current("Patient", patientId).filter(r -> !r.deleted())
        .orElseThrow(() -> new WardException.NotFound("Patient/" + patientId + " is not known"));
    if (!WatchFlags.FLAGS.contains(flag)) throw new WardException.InvalidRequest("unknown flag '" + flag + "' (canary, vip, staff)");
    audit(ctx, add ? "watch-flag" : "watch-unflag", "Patient", flag, List.of(touch(patient)), Outcome.ALLOWED, "security-officer");
    return add
        ? w.flags().add(flag, patient.patient(), "Patient/" + patientId, note, ctx.principal().name())
        : w.flags().remove(flag, patient.patient());
  }

  /** Every flag with the patient it is on (security officers); recorded. */
  public List<WatchFlags.Flag> flags(RequestContext ctx) {
    requireSecurityOfficer(ctx, "watch-flags");
    List<WatchFlags.Flag> out = requireWatch().flags().list();
    audit(ctx, "watch-flags", "Patient", "all", List.of(), Outcome.ALLOWED, "security-officer");
    return out;
  }

  /**
   * Creates {@code count} canary patients: plausible, synthetic Patient records that no workflow
   * has a reason to open, flagged so that any access to them cuts the session off. Returns their
   * ids. Security officers or the host operator.
   */
  public List<String> createCanaries(RequestContext ctx, int count) {
    requireSecurityOfficer(ctx, "watch-canary");
    if (count < 1 || count > 1000) throw new WardException.InvalidRequest("make between 1 and 1000 canaries at a time");
    Watch w = requireWatch();
    RequestContext maker = RequestContext.local(Principal.operator("watch"));
    List<String> ids = new ArrayList<>();
    while (ids.size() < count) {
      WriteResult made = create(maker, Canaries.patient(this::randomInt, clock.instant()), null);
      StoredRecord rec = store.current("Patient", made.id()).orElseThrow();
      audit(ctx, "watch-flag", "Patient", "canary", List.of(touch(rec)), Outcome.ALLOWED, "security-officer");
      w.flags().add("canary", rec.patient(), "Patient/" + made.id(), "canary made by Ward", ctx.principal().name());
      ids.add(made.id());
    }
    return ids;
  }

  private int randomInt(int bound) {
    return ids.nextInt(bound);
  }

  private Watch requireWatch() {
    Watch w = watch.running();
    if (w != null) return w;
    throw new WardException.InvalidRequest("the watch is not running in this process; use the server's admin API");
  }

  private void requireSecurityOfficer(RequestContext ctx, String interaction) {
    Principal who = ctx.principal();
    boolean ok = who.role() == health.ward.access.Role.SECURITY_OFFICER
        || (who.role() == health.ward.access.Role.OPERATOR && who.kind() == Principal.Kind.OPERATOR);
    if (!ok) {
      audit(ctx, interaction, "Patient", "", List.of(), Outcome.DENIED, "security-officers-only");
      throw new WardException.Forbidden(interaction.startsWith("watch")
          ? "alerts and flags are for security officers" : "break-the-glass review is for security officers");
    }
  }

  private EmergencyReview review(PostgresCareStore.EmergencyGrant g) {
    String reason;
    try {
      reason = new String(vault.openDetail(g.patient(), grantContext(g.actor(), g.ledgerIndex()), g.reason()),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (WardException e) {
      reason = "(unreadable: the patient's key was shredded)";
    }
    return new EmergencyReview(g.id(), g.actor(), g.actorName(), g.resource(), g.grantedAt(), g.expiresAt(),
        reason, g.ledgerIndex(), g.reviewedAt(), g.reviewedBy(), g.verdict());
  }

  void audit(RequestContext ctx, String interaction, String type, String shape, List<Touch> touched, Outcome outcome, String rule) {
    admit(ctx, event(ctx, interaction, type, shape, touched, outcome, rule, false)).await();
  }

  void audit(RequestContext ctx, String interaction, String type, String shape, List<Touch> touched, Outcome outcome, Decision d) {
    admit(ctx, event(ctx, interaction, type, shape, touched, outcome, d)).await();
  }

  /**
   * Shows the access to the watch, then queues its ledger entry. If a detector's response refuses
   * it (throttle, step-up, revoke), the access is recorded as refused by the watch instead, and
   * nothing of it is done or answered. The refusal does not say what was detected.
   */
  private Ledger.Durable admit(RequestContext ctx, AccessEvent e) {
    Verdict v = watch.inspect(ctx.principal(), e);
    if (!v.blocks()) return trail.begin(e);
    trail.record(new AccessEvent(e.at(), e.actorId(), e.actorName(), e.actorRole(), e.session(), e.interaction(),
        e.resourceType(), e.searchShape(), e.touched(), Outcome.DENIED, "watch:" + v.detector(), e.emergency(),
        e.purposeOfUse(), e.address(), e.userAgent()));
    throw switch (v.response()) {
      case THROTTLE -> new WardException.RateLimited(
          "this credential is making requests faster than its usual pattern; it may make one request every two seconds for now");
      case STEP_UP -> new WardException.Unauthenticated(
          "Ward ended this session after unusual activity; sign in again with your passkey");
      default -> new WardException.Forbidden(
          "Ward ended this session after unusual activity and locked the account; a security officer has been alerted");
    };
  }

  private AccessEvent event(
      RequestContext ctx, String interaction, String type, String shape, List<Touch> touched, Outcome outcome, Decision d) {
    return event(ctx, interaction, type, shape, touched, outcome, d.rule(), d.emergency());
  }

  private AccessEvent event(
      RequestContext ctx, String interaction, String type, String shape, List<Touch> touched, Outcome outcome, String rule,
      boolean emergency) {
    Principal who = ctx.principal();
    return new AccessEvent(
            clock.instant(),
            who.id(),
            who.name(),
            who.role().code(),
            ctx.session(),
            interaction,
            type,
            shape,
            touched,
            outcome,
            rule,
            emergency,
            emergency ? "ETREAT" : ctx.purposeOfUse(),
            ctx.address(),
            ctx.userAgent());
  }

  Touch touch(StoredRecord rec) {
    return touch(rec.patient(), rec.type(), rec.id());
  }

  Touch touch(Pseudonym patient, String type, String id) {
    return new Touch(patient, type, id);
  }

  /** Writes a plan after deciding and auditing it; on a failed write the failure is audited too. */
  List<WriteResult> commit(RequestContext ctx, String interaction, String type, Decision d, Transactions.Plan plan) {
    List<Touch> touched = plan.touches(this);
    d = decideWrites(ctx, interaction, type, d, plan, touched);
    audit(ctx, interaction, type, "", touched, Outcome.ALLOWED, d);
    try {
      List<VersionWrite> writes = plan.writes();
      if (!writes.isEmpty()) store.write(writes);
    } catch (WardException e) {
      auditFailure(ctx, interaction, type, touched, d.rule());
      throw e;
    }
    return plan.results();
  }

  private void auditFailure(RequestContext ctx, String interaction, String type, List<Touch> touched, String rule) {
    try {
      audit(ctx, interaction, type, "", touched, Outcome.FAILED, rule);
    } catch (WardException.LedgerUnavailable ignored) {
      // The write already failed and is reported; its attempt is in the ledger.
    }
  }

  /** Finds the single current resource matching a conditional query string ("a=b&c=d"). */
  Optional<StoredRecord> matchOne(String type, String conditional, String what) {
    Map<String, List<String>> params = QueryStrings.parse(conditional, what);
    if (params.isEmpty()) throw new WardException.InvalidRequest(what + " has no search parameters");
    SearchPlan plan = SearchPlan.compile(type, params);
    List<StoredRecord> found = store.search(type, new Query(tokens(type, plan.groups()), 0, 2, false));
    if (!plan.filters().isEmpty()) {
      found = found.stream().filter(rec -> plan.filters().stream().allMatch(f -> f.test(materialise(rec)))).toList();
    }
    if (found.size() > 1) {
      throw new WardException.InvalidRequest(what + " '" + type + "?" + conditional + "' matches more than one resource");
    }
    return found.stream().findFirst();
  }

  List<List<byte[]>> tokens(String type, List<List<String[]>> groups) {
    List<List<byte[]>> out = new ArrayList<>(groups.size());
    for (List<String[]> g : groups) {
      List<byte[]> tg = new ArrayList<>(g.size());
      for (String[] pk : g) tg.add(vault.token(type, pk[0], pk[1]));
      out.add(tg);
    }
    return out;
  }

  /** Seals a resource version and computes its blind-index tokens. */
  VersionWrite seal(Resource r, String type, String id, long version, Pseudonym patient) {
    byte[] json = Codec.encode(r);
    byte[] ciphertext = vault.seal(patient, type, id, version, json);
    List<byte[]> tokens = new ArrayList<>();
    for (SearchParameters.Param p : SearchParameters.forType(type).values()) {
      for (String key : SearchParameters.indexKeys(p, r)) tokens.add(vault.token(type, p.name(), key));
    }
    return new VersionWrite(type, id, version, patient, false, ciphertext, tokens,
        CareFacts.states(type) ? CareFacts.of(r, vault) : null,
        PersonMarkers.states(type) ? PersonMarkers.of(r, vault) : null);
  }

  VersionWrite sealDeletion(String type, String id, long version, Pseudonym patient, Instant at) {
    Resource marker = newResource(type);
    marker.setId(id);
    marker.getMeta().setVersionId(Long.toString(version)).setLastUpdated(Date.from(at));
    byte[] ciphertext = vault.seal(patient, type, id, version, Codec.encode(marker));
    return new VersionWrite(type, id, version, patient, true, ciphertext, List.of());
  }

  Pseudonym patientPseudonym(String patientId) {
    return patientId == null ? null : vault.patientPseudonym(patientId);
  }

  Optional<StoredRecord> current(String type, String id) {
    return store.current(type, id);
  }

  Instant now() {
    return clock.instant();
  }

  String newId() {
    return ids.next();
  }

  /** Opens a stored version into a resource carrying its full versioned id. */
  Resource materialise(StoredRecord rec) {
    Resource r = Codec.decodeStored(vault.open(rec), rec.type() + "/" + rec.id() + "/_history/" + rec.version());
    r.setId(new IdType(rec.type(), rec.id(), Long.toString(rec.version())));
    return r;
  }

  static Resource newResource(String type) {
    return (Resource) Codec.context().getResourceDefinition(type).newInstance();
  }

  static void requireType(String type) {
    if (type == null || !ResourceCatalog.supports(type)) {
      throw new WardException.InvalidRequest("resource type '" + type + "' is not supported by this server");
    }
  }

  static void requireId(String id) {
    if (!Ids.isValid(id)) {
      throw new WardException.InvalidRequest("'" + id + "' is not a valid FHIR id ([A-Za-z0-9-.]{1,64})");
    }
  }
}
