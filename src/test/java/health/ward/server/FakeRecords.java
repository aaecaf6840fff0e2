package health.ward.server;

import health.ward.common.WardException;
import health.ward.records.HistoryEntry;
import health.ward.records.RequestContext;
import health.ward.records.SearchRequest;
import health.ward.records.SearchResult;
import health.ward.records.WriteResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * A records service in memory with the contract's observable behaviour (versions, deletes as
 * 410, If-Match conflicts, offset search, transactions), and some triggers for failure paths:
 * reading id {@code explode} throws an unexpected exception whose message holds "PHI", id
 * {@code ledger-down} a ledger failure. Only {@code _id} and {@code family} are supported search
 * parameters.
 */
final class FakeRecords implements Records {
  static final String PHI = "Jane Q. Public, born 1970-01-01";

  record Version(Resource resource, boolean deleted, Instant at) {}

  final Map<String, List<Version>> store = new LinkedHashMap<>();
  final List<String> unauthenticated = new CopyOnWriteArrayList<>();
  final List<RequestContext> contexts = new CopyOnWriteArrayList<>();
  final AtomicLong ids = new AtomicLong();
  private final Clock clock;

  FakeRecords(Clock clock) {
    this.clock = clock;
  }

  @Override public Set<String> resourceTypes() { return Set.of("Patient", "Observation"); }

  @Override public List<String> searchParameters(String type) { return List.of("_id", "family"); }

  /** When set, reading id {@code slow} waits for it (outside the lock) before answering. */
  volatile java.util.concurrent.CountDownLatch slowRead;
  final java.util.concurrent.CountDownLatch slowReadStarted = new java.util.concurrent.CountDownLatch(1);

  @Override
  public Resource read(RequestContext ctx, String type, String id) {
    if (id.equals("slow") && slowRead != null) {
      slowReadStarted.countDown();
      try {
        slowRead.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      org.hl7.fhir.r4.model.Patient p = new org.hl7.fhir.r4.model.Patient();
      p.setId(new IdType(type, id, "1"));
      return p;
    }
    return readLocked(ctx, type, id);
  }

  private synchronized Resource readLocked(RequestContext ctx, String type, String id) {
    contexts.add(ctx);
    if (id.equals("explode")) throw new IllegalStateException("boom: " + PHI);
    if (id.equals("ledger-down")) throw new WardException.LedgerUnavailable("ledger append failed", new RuntimeException(PHI));
    List<Version> vs = versions(type, id);
    Version last = vs.get(vs.size() - 1);
    if (last.deleted()) throw new WardException.Gone(type + "/" + id + " was deleted");
    return last.resource().copy();
  }

  @Override
  public synchronized Resource vread(RequestContext ctx, String type, String id, long version) {
    List<Version> vs = versions(type, id);
    if (version > vs.size()) throw new WardException.NotFound(type + "/" + id + "/_history/" + version);
    Version v = vs.get((int) version - 1);
    if (v.deleted()) throw new WardException.Gone(type + "/" + id + "/_history/" + version + " is a deletion");
    return v.resource().copy();
  }

  @Override
  public synchronized WriteResult create(RequestContext ctx, Resource resource, String ifNoneExist) {
    contexts.add(ctx);
    String type = resource.fhirType();
    if (ifNoneExist != null) {
      if (!ifNoneExist.startsWith("_id=")) throw new WardException.InvalidRequest("If-None-Exist supports _id only");
      String id = ifNoneExist.substring(4);
      List<Version> vs = store.get(type + "/" + id);
      if (vs != null) {
        Version last = vs.get(vs.size() - 1);
        return new WriteResult(type, id, vs.size(), last.resource().copy(), false);
      }
    }
    return put(type, "id" + ids.incrementAndGet(), resource);
  }

  @Override
  public synchronized WriteResult update(
      RequestContext ctx, String type, String id, Resource resource, Long expectedVersion) {
    List<Version> vs = store.get(type + "/" + id);
    long current = vs == null ? 0 : vs.size();
    if (expectedVersion != null && expectedVersion != current) {
      throw new WardException.VersionConflict(type + "/" + id + " is at version " + current);
    }
    return put(type, id, resource);
  }

  private WriteResult put(String type, String id, Resource resource) {
    List<Version> vs = store.computeIfAbsent(type + "/" + id, k -> new ArrayList<>());
    Resource r = resource.copy();
    long version = vs.size() + 1;
    Instant now = clock.instant();
    r.setId(new IdType(type, id, Long.toString(version)));
    r.getMeta().setVersionId(Long.toString(version)).setLastUpdated(java.util.Date.from(now));
    vs.add(new Version(r, false, now));
    return new WriteResult(type, id, version, r.copy(), version == 1);
  }

  @Override
  public synchronized WriteResult delete(RequestContext ctx, String type, String id) {
    List<Version> vs = versions(type, id);
    if (vs.get(vs.size() - 1).deleted()) throw new WardException.Gone(type + "/" + id + " was deleted");
    vs.add(new Version(null, true, clock.instant()));
    return new WriteResult(type, id, vs.size(), null, false);
  }

  @Override
  public synchronized List<HistoryEntry> history(RequestContext ctx, String type, String id) {
    List<Version> vs = versions(type, id);
    List<HistoryEntry> out = new ArrayList<>();
    for (int i = vs.size() - 1; i >= 0; i--) {
      Version v = vs.get(i);
      out.add(new HistoryEntry(type, id, i + 1, v.deleted(), v.at(), v.deleted() ? null : v.resource().copy()));
    }
    return out;
  }

  @Override
  public synchronized SearchResult search(RequestContext ctx, String type, SearchRequest request) {
    contexts.add(ctx);
    for (String p : request.parameters().keySet()) {
      if (!p.equals("_id") && !p.equals("family")) throw new WardException.InvalidRequest("Unsupported search parameter: " + p);
    }
    List<Resource> matches = new ArrayList<>();
    for (Map.Entry<String, List<Version>> e : store.entrySet()) {
      if (!e.getKey().startsWith(type + "/")) continue;
      Version last = e.getValue().get(e.getValue().size() - 1);
      if (last.deleted()) continue;
      List<String> idParam = request.parameters().get("_id");
      if (idParam != null && !List.of(idParam.get(0).split(",")).contains(last.resource().getIdElement().getIdPart())) continue;
      List<String> family = request.parameters().get("family");
      if (family != null
          && !(last.resource() instanceof org.hl7.fhir.r4.model.Patient pt
              && pt.getNameFirstRep().getFamily() != null
              && pt.getNameFirstRep().getFamily().startsWith(family.get(0)))) continue;
      matches.add(last.resource().copy());
    }
    if ("-_lastUpdated".equals(request.sort())) {
      matches.sort(Comparator.comparing((Resource r) -> r.getMeta().getLastUpdated()).reversed());
    }
    if (request.countOnly()) return new SearchResult(List.of(), matches.size());
    int from = Math.min(request.offset(), matches.size());
    int to = Math.min(from + request.count(), matches.size());
    return new SearchResult(matches.subList(from, to), matches.size());
  }

  @Override
  public synchronized Bundle transaction(RequestContext ctx, Bundle bundle) {
    Bundle out = new Bundle().setType(
        bundle.getType() == Bundle.BundleType.BATCH ? Bundle.BundleType.BATCHRESPONSE : Bundle.BundleType.TRANSACTIONRESPONSE);
    for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
      WriteResult w =
          switch (e.getRequest().getMethod()) {
            case POST -> create(ctx, e.getResource(), e.getRequest().getIfNoneExist());
            case PUT -> {
              String[] parts = e.getRequest().getUrl().split("/");
              yield update(ctx, parts[0], parts[1], e.getResource(), null);
            }
            default -> throw new WardException.InvalidRequest("Unsupported method in transaction");
          };
      out.addEntry().getResponse()
          .setStatus(w.created() ? "201 Created" : "200 OK")
          .setLocation(w.type() + "/" + w.id() + "/_history/" + w.version())
          .setEtag("W/\"" + w.version() + "\"");
    }
    return out;
  }

  @Override
  public void recordUnauthenticated(String address, String interaction, String resourceType) {
    unauthenticated.add(address + " " + interaction + " " + resourceType);
  }

  private List<Version> versions(String type, String id) {
    List<Version> vs = store.get(type + "/" + id);
    if (vs == null) throw new WardException.NotFound(type + "/" + id + " not found");
    return vs;
  }
}
