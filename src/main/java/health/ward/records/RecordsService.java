package health.ward.records;

import health.ward.access.Action;
import health.ward.access.Decision;
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
import health.ward.store.Query;
import health.ward.store.RecordStore;
import health.ward.store.StoredRecord;
import health.ward.store.VersionWrite;
import health.ward.vault.RecordVault;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * The one door to patient records: every operation decides, records the access in the ledger
 * (fail closed: if the ledger cannot take the entry, nothing is returned or written), and only then
 * acts. HTTP handlers and commands call this and nothing below it. Failures are
 * {@link WardException}s.
 */
public final class RecordsService {
  /** Most candidates a date-filtered search decrypts before asking for a narrower search. */
  static final int MAX_FILTER_CANDIDATES = 10_000;

  private final RecordStore store;
  private final RecordVault vault;
  private final AuditTrail trail;
  private final AuditLog auditLog;
  private final Policy policy;
  private final Clock clock;
  private final Ids ids;
  private final Transactions transactions;

  public RecordsService(
      RecordStore store, RecordVault vault, AuditTrail trail, AuditLog auditLog, Policy policy, Clock clock,
      SecureRandom random) {
    this.store = store;
    this.vault = vault;
    this.trail = trail;
    this.auditLog = auditLog;
    this.policy = policy;
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
    Ledger.Durable entry =
        trail.begin(event(ctx, interaction, type, "", List.of(touch(rec)), rec.deleted() ? Outcome.FAILED : Outcome.ALLOWED, d.rule()));
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
    audit(ctx, "history-instance", type, "", List.of(touch(versions.get(0))), Outcome.ALLOWED, d.rule());
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
    SearchPlan plan = SearchPlan.compile(type, request.parameters());
    boolean newestFirst = sortNewestFirst(request.sort());
    Query base = new Query(tokens(type, plan.groups()), 0, 0, newestFirst);
    List<StoredRecord> page;
    List<Resource> opened = null;
    long total;
    if (plan.filters().isEmpty()) {
      if (request.countOnly()) {
        total = store.count(type, base);
        page = List.of();
      } else {
        page = store.search(type, new Query(base.allOf(), request.offset(), request.count(), newestFirst));
        boolean complete = page.size() < request.count() && (request.offset() == 0 || !page.isEmpty());
        total = complete ? request.offset() + page.size() : store.count(type, base);
      }
    } else {
      List<StoredRecord> candidates =
          store.search(type, new Query(base.allOf(), 0, MAX_FILTER_CANDIDATES + 1, newestFirst));
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
    audit(ctx, "search-type", type, plan.shape(), touched, Outcome.ALLOWED, d.rule());
    if (opened == null) {
      opened = new ArrayList<>(page.size());
      for (StoredRecord rec : page) opened.add(materialise(rec));
    }
    return new SearchResult(opened, total);
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
        audit(ctx, "create", type, "", List.of(touch(rec)), Outcome.ALLOWED, d.rule());
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
      d = policy.decide(ctx.principal(), action, type);
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

  void audit(RequestContext ctx, String interaction, String type, String shape, List<Touch> touched, Outcome outcome, String rule) {
    trail.record(event(ctx, interaction, type, shape, touched, outcome, rule));
  }

  private AccessEvent event(
      RequestContext ctx, String interaction, String type, String shape, List<Touch> touched, Outcome outcome, String rule) {
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
            false,
            ctx.purposeOfUse(),
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
    audit(ctx, interaction, type, "", touched, Outcome.ALLOWED, d.rule());
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
    return new VersionWrite(type, id, version, patient, false, ciphertext, tokens);
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
