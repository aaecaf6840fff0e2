package health.ward.records;

import health.ward.access.Action;
import health.ward.access.Decision;
import health.ward.audit.Touch;
import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.store.StoredRecord;
import health.ward.store.VersionWrite;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.BundleEntryResponseComponent;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Writes as plans: single creates, updates and deletes, and {@code transaction} bundles (planned
 * whole, then written in one store transaction: all or nothing) and {@code batch} bundles (each
 * entry on its own). Resolves {@code urn:uuid} references to the ids assigned in the bundle and
 * conditional references such as {@code Practitioner?identifier=…} by search, and refuses
 * references to resources that do not exist.
 */
final class Transactions {
  private final RecordsService records;

  Transactions(RecordsService records) {
    this.records = records;
  }

  /** One planned version (or a no-op) and what the client is told about it. */
  record Item(
      String type, String id, long version, Resource resource, Pseudonym patient, boolean created,
      boolean deleted, VersionWrite write) {}

  /** The writes of one request, checked and sealed, not yet stored. */
  static final class Plan {
    private final List<Item> items = new ArrayList<>();

    void add(Item item) {
      items.add(item);
    }

    /** If-Match: the resource's current version must be {@code expected}. */
    void expect(String type, String id, long expected) {
      for (Item i : items) {
        if (i.type().equals(type) && i.id().equals(id)) {
          long current = i.write() == null ? i.version() : i.version() - 1;
          if (current != expected) {
            throw new WardException.VersionConflict(
                type + "/" + id + " is at version " + current + ", not the expected version " + expected);
          }
        }
      }
    }

    List<VersionWrite> writes() {
      List<VersionWrite> out = new ArrayList<>();
      for (Item i : items) if (i.write() != null) out.add(i.write());
      return out;
    }

    List<Touch> touches(RecordsService records) {
      List<Touch> out = new ArrayList<>(items.size());
      for (Item i : items) out.add(records.touch(i.patient(), i.type(), i.id()));
      return out;
    }

    List<Item> items() {
      return List.copyOf(items);
    }

    List<WriteResult> results() {
      List<WriteResult> out = new ArrayList<>(items.size());
      for (Item i : items) out.add(new WriteResult(i.type(), i.id(), i.version(), i.resource(), i.created()));
      return out;
    }
  }

  // ---- single writes ---------------------------------------------------------------------------

  Plan planSingle(Resource resource, String type, String id, boolean create) {
    resource = resource.copy();
    resolveReferences(resource, Map.of(), Set.of(), new HashMap<>(), "");
    Plan plan = new Plan();
    plan.add(create ? planCreate(resource, type, id) : planPut(resource, type, id));
    return plan;
  }

  Plan planDelete(String type, String id) {
    Plan plan = new Plan();
    plan.add(planDeleteItem(type, id));
    return plan;
  }

  /** Plans version 1 of {@code r}, which the plan now owns and stamps. */
  private Item planCreate(Resource r, String type, String id) {
    Pseudonym patient = patientOf(r, type, id);
    stamp(r, id, 1, records.now());
    return new Item(type, id, 1, r, patient, true, false, records.seal(r, type, id, 1, patient));
  }

  /** Plans the next version of {@code r} (or a no-op when unchanged); the plan owns {@code r}. */
  private Item planPut(Resource r, String type, String id) {
    Pseudonym patient = patientOf(r, type, id);
    Optional<StoredRecord> cur = records.current(type, id);
    if (cur.isEmpty()) {
      stamp(r, id, 1, records.now());
      return new Item(type, id, 1, r, patient, true, false, records.seal(r, type, id, 1, patient));
    }
    StoredRecord c = cur.get();
    if (!java.util.Objects.equals(c.patient(), patient)) {
      throw new WardException.InvalidResource(
          type + "/" + id + " cannot move to another patient; delete it and create a new resource");
    }
    if (!c.deleted()) {
      Resource stored = records.materialise(c);
      // Compare content only: give r the stored id and meta stamps (stamp() overwrites them below).
      r.setId(stored.getIdElement());
      r.getMeta().setVersionId(stored.getMeta().getVersionId()).setLastUpdated(stored.getMeta().getLastUpdated());
      if (r.equalsDeep(stored)) {
        return new Item(type, id, c.version(), stored, patient, false, false, null);
      }
    }
    long v = c.version() + 1;
    stamp(r, id, v, records.now());
    return new Item(type, id, v, r, patient, c.deleted(), false, records.seal(r, type, id, v, patient));
  }

  private Item planDeleteItem(String type, String id) {
    StoredRecord c =
        records.current(type, id).orElseThrow(() -> new WardException.NotFound(type + "/" + id + " is not known"));
    if (c.deleted()) return new Item(type, id, c.version(), null, c.patient(), false, true, null);
    long v = c.version() + 1;
    return new Item(type, id, v, null, c.patient(), false, true,
        records.sealDeletion(type, id, v, c.patient(), records.now()));
  }

  private Pseudonym patientOf(Resource r, String type, String id) {
    if (type.equals("Patient")) r.setId(id);
    return records.patientPseudonym(ResourceCatalog.patientOf(r));
  }

  private static void stamp(Resource r, String id, long version, Instant at) {
    r.setId(id);
    r.getMeta().setVersionId(Long.toString(version)).setLastUpdated(Date.from(at));
  }

  // ---- references ------------------------------------------------------------------------------

  /**
   * Rewrites bundle-local and conditional references to local ones and checks that every local
   * reference points to a stored resource or one written alongside.
   */
  private void resolveReferences(
      Resource r, Map<String, String> local, Set<String> alongside, Map<String, String> cache, String where) {
    List<Reference> refs = Codec.context().newTerser().getAllPopulatedChildElementsOfType(r, Reference.class);
    for (Reference ref : refs) {
      String s = ref.getReference();
      if (s == null || s.isEmpty() || s.startsWith("#")) continue;
      if (s.startsWith("urn:uuid:") || s.startsWith("urn:oid:")) {
        String target = local.get(s);
        if (target == null) {
          throw new WardException.InvalidResource(
              where + "reference " + s + " does not resolve to an entry of this bundle");
        }
        ref.setReference(target);
        continue;
      }
      int q = s.indexOf('?');
      if (q > 0 && !s.substring(0, q).contains("/")) {
        ref.setReference(resolveConditional(s, cache, where));
        continue;
      }
      if (s.startsWith("http://") || s.startsWith("https://")) continue;
      References.Local l = References.local(s);
      if (l == null) {
        throw new WardException.InvalidResource(where + "reference '" + s + "' is not a valid reference");
      }
      if (!ResourceCatalog.supports(l.type())) {
        throw new WardException.InvalidResource(where + "reference " + s + " names a type this server does not store");
      }
      if (alongside.contains(l.key()) || cache.containsKey(l.key())) continue;
      Optional<StoredRecord> target = records.current(l.type(), l.id());
      if (target.isEmpty() || target.get().deleted()) {
        throw new WardException.InvalidResource(where + "reference " + s + " points to a resource that does not exist");
      }
      cache.put(l.key(), l.key());
    }
  }

  private String resolveConditional(String s, Map<String, String> cache, String where) {
    String hit = cache.get(s);
    if (hit != null) return hit;
    int q = s.indexOf('?');
    String type = s.substring(0, q);
    if (!ResourceCatalog.supports(type)) {
      throw new WardException.InvalidResource(where + "conditional reference " + s + " names an unsupported type");
    }
    Optional<StoredRecord> found;
    try {
      found = records.matchOne(type, s.substring(q + 1), "conditional reference");
    } catch (WardException.InvalidRequest e) {
      throw new WardException.InvalidResource(where + e.getMessage());
    }
    String target =
        found.map(rec -> type + "/" + rec.id())
            .orElseThrow(() -> new WardException.InvalidResource(where + "conditional reference " + s + " matches no resource"));
    cache.put(s, target);
    return target;
  }

  // ---- bundles ---------------------------------------------------------------------------------

  Bundle process(RequestContext ctx, Bundle bundle) {
    if (bundle.getType() == BundleType.TRANSACTION) return transaction(ctx, bundle);
    if (bundle.getType() == BundleType.BATCH) return batch(ctx, bundle);
    throw new WardException.InvalidResource(
        "a Bundle sent to the server base must be of type transaction or batch, not "
            + (bundle.getType() == null ? "(none)" : bundle.getType().toCode()));
  }

  private record Request(HTTPVerb verb, String type, String id, String conditional) {}

  private static Request request(BundleEntryComponent e, int index) {
    String where = "entry " + index + ": ";
    if (!e.hasRequest() || e.getRequest().getMethod() == null || !e.getRequest().hasUrl()) {
      throw new WardException.InvalidResource(where + "request.method and request.url are required");
    }
    HTTPVerb verb = e.getRequest().getMethod();
    String url = e.getRequest().getUrl();
    if (url.startsWith("/")) url = url.substring(1);
    int q = url.indexOf('?');
    String path = q < 0 ? url : url.substring(0, q);
    String[] parts = path.split("/");
    String type = parts[0];
    if (!ResourceCatalog.supports(type)) {
      throw new WardException.InvalidResource(where + "request.url '" + url + "' names an unsupported resource type");
    }
    String id = parts.length == 2 ? parts[1] : null;
    if (parts.length > 2 || (id != null && !Ids.isValid(id))) {
      throw new WardException.InvalidResource(where + "request.url '" + url + "' is not Type or Type/id");
    }
    if (q >= 0) throw new WardException.InvalidResource(where + "conditional " + verb.toCode() + " in request.url is not supported");
    switch (verb) {
      case POST -> {
        if (id != null) throw new WardException.InvalidResource(where + "POST goes to a type, not to " + url);
        requireBody(e, type, null, where);
      }
      case PUT -> {
        if (id == null) throw new WardException.InvalidResource(where + "PUT needs request.url Type/id");
        requireBody(e, type, id, where);
      }
      case DELETE, GET -> {
        if (id == null) throw new WardException.InvalidResource(where + verb.toCode() + " needs request.url Type/id");
      }
      default -> throw new WardException.InvalidResource(where + "method " + verb.toCode() + " is not supported");
    }
    return new Request(verb, type, id, e.getRequest().getIfNoneExist());
  }

  private static void requireBody(BundleEntryComponent e, String type, String id, String where) {
    if (!e.hasResource()) throw new WardException.InvalidResource(where + "a resource is required");
    Resource r = e.getResource();
    if (!r.fhirType().equals(type)) {
      throw new WardException.InvalidResource(where + "the resource is a " + r.fhirType() + " but request.url names " + type);
    }
    String bodyId = r.getIdElement().getIdPart();
    if (id != null && bodyId != null && !bodyId.equals(id)) {
      throw new WardException.InvalidResource(where + "the resource's id does not match request.url");
    }
  }

  private Bundle transaction(RequestContext ctx, Bundle bundle) {
    Decision d = records.decide(ctx, Action.TRANSACTION, "Bundle", "transaction");
    List<BundleEntryComponent> entries = bundle.getEntry();
    int n = entries.size();
    Request[] requests = new Request[n];
    String[] ids = new String[n];
    StoredRecord[] matched = new StoredRecord[n];
    Map<String, String> local = new HashMap<>();
    Set<String> alongside = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String where = "entry " + i + ": ";
      Request rq = requests[i] = request(entries.get(i), i);
      String id = rq.id();
      if (rq.verb() == HTTPVerb.POST) {
        if (rq.conditional() != null && !rq.conditional().isBlank()) {
          matched[i] = withWhere(where, () -> records.matchOne(rq.type(), rq.conditional(), "ifNoneExist")).orElse(null);
        }
        id = matched[i] != null ? matched[i].id() : records.newId();
      }
      ids[i] = id;
      String key = rq.type() + "/" + id;
      if (rq.verb() != HTTPVerb.GET && matched[i] == null && !alongside.add(key)) {
        throw new WardException.InvalidResource(where + key + " is written by more than one entry");
      }
      String fullUrl = entries.get(i).getFullUrl();
      if (fullUrl != null && !fullUrl.isEmpty()) {
        if (local.put(fullUrl, key) != null) {
          throw new WardException.InvalidResource(where + "fullUrl " + fullUrl + " appears more than once");
        }
      }
    }
    Map<String, String> cache = new HashMap<>();
    Plan plan = new Plan();
    Item[] items = new Item[n];
    for (int i = 0; i < n; i++) {
      String where = "entry " + i + ": ";
      Request rq = requests[i];
      int idx = i;
      items[i] =
          withWhere(where, () -> {
            switch (rq.verb()) {
              case POST -> {
                if (matched[idx] != null) {
                  StoredRecord m = matched[idx];
                  return new Item(rq.type(), m.id(), m.version(), records.materialise(m), m.patient(), false, false, null);
                }
                Resource r = entries.get(idx).getResource().copy();
                resolveReferences(r, local, alongside, cache, where);
                return planCreate(r, rq.type(), ids[idx]);
              }
              case PUT -> {
                Resource r = entries.get(idx).getResource().copy();
                resolveReferences(r, local, alongside, cache, where);
                return planPut(r, rq.type(), ids[idx]);
              }
              case DELETE -> {
                return planDeleteItem(rq.type(), ids[idx]);
              }
              default -> {
                return null;
              }
            }
          });
      if (items[i] != null) plan.add(items[i]);
    }
    records.commit(ctx, "transaction", "Bundle", d, plan);
    Bundle response = new Bundle().setType(BundleType.TRANSACTIONRESPONSE);
    for (int i = 0; i < n; i++) {
      BundleEntryComponent out = response.addEntry();
      if (requests[i].verb() == HTTPVerb.GET) {
        Resource r = records.read(ctx, requests[i].type(), ids[i]);
        out.setResource(r).getResponse().setStatus("200 OK").setEtag("W/\"" + r.getMeta().getVersionId() + "\"");
        continue;
      }
      describe(out, items[i], matched[i] != null);
    }
    return response;
  }

  private static void describe(BundleEntryComponent out, Item item, boolean matchedExisting) {
    BundleEntryResponseComponent resp = out.getResponse();
    if (item.deleted()) {
      resp.setStatus("204 No Content");
      return;
    }
    String location = item.type() + "/" + item.id() + "/_history/" + item.version();
    out.setFullUrl(item.type() + "/" + item.id());
    resp.setStatus(item.created() && !matchedExisting ? "201 Created" : "200 OK")
        .setLocation(location)
        .setEtag("W/\"" + item.version() + "\"");
    if (item.resource() != null && item.resource().getMeta().hasLastUpdated()) {
      resp.setLastModified(item.resource().getMeta().getLastUpdated());
    }
  }

  private Bundle batch(RequestContext ctx, Bundle bundle) {
    Bundle response = new Bundle().setType(BundleType.BATCHRESPONSE);
    List<BundleEntryComponent> entries = bundle.getEntry();
    for (int i = 0; i < entries.size(); i++) {
      BundleEntryComponent in = entries.get(i);
      BundleEntryComponent out = response.addEntry();
      String where = "entry " + i + ": ";
      try {
        Request rq = request(in, i);
        switch (rq.verb()) {
          case POST -> {
            WriteResult w = records.create(ctx, in.getResource(), rq.conditional());
            describe(out, new Item(w.type(), w.id(), w.version(), w.resource(), null, w.created(), false, null), !w.created());
          }
          case PUT -> {
            WriteResult w = records.update(ctx, rq.type(), rq.id(), in.getResource(), null);
            describe(out, new Item(w.type(), w.id(), w.version(), w.resource(), null, w.created(), false, null), false);
          }
          case DELETE -> {
            records.delete(ctx, rq.type(), rq.id());
            out.getResponse().setStatus("204 No Content");
          }
          case GET -> {
            Resource r = records.read(ctx, rq.type(), rq.id());
            out.setResource(r).getResponse().setStatus("200 OK");
          }
          default -> throw new IllegalStateException("checked in request()");
        }
      } catch (WardException e) {
        WardException w = Outcomes.prefixed(e, where);
        out.getResponse()
            .setStatus(Outcomes.status(w) + " " + w.code().name())
            .setOutcome(Outcomes.operationOutcome(w));
      }
    }
    return response;
  }

  private interface Step<T> {
    T run();
  }

  private static <T> T withWhere(String where, Step<T> step) {
    try {
      return step.run();
    } catch (WardException e) {
      throw e.getMessage().startsWith(where) ? e : Outcomes.prefixed(e, where);
    }
  }
}
