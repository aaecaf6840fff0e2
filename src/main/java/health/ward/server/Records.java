package health.ward.server;

import health.ward.records.HistoryEntry;
import health.ward.records.RecordsService;
import health.ward.records.RequestContext;
import health.ward.records.SearchRequest;
import health.ward.records.SearchResult;
import health.ward.records.WriteResult;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * What the HTTP layer needs from the records service, one method per {@link RecordsService}
 * method with the same contract. It exists so the HTTP behaviour can be specified by tests against
 * a small in-memory double; production always goes through {@link #of(RecordsService)}.
 */
interface Records {
  Set<String> resourceTypes();

  List<String> searchParameters(String type);

  Resource read(RequestContext ctx, String type, String id);

  Resource vread(RequestContext ctx, String type, String id, long version);

  WriteResult create(RequestContext ctx, Resource resource, String ifNoneExist);

  WriteResult update(RequestContext ctx, String type, String id, Resource resource, Long expectedVersion);

  WriteResult delete(RequestContext ctx, String type, String id);

  List<HistoryEntry> history(RequestContext ctx, String type, String id);

  SearchResult search(RequestContext ctx, String type, SearchRequest request);

  Bundle transaction(RequestContext ctx, Bundle bundle);

  void recordUnauthenticated(String address, String interaction, String resourceType);

  static Records of(RecordsService s) {
    Objects.requireNonNull(s, "records");
    return new Records() {
      @Override public Set<String> resourceTypes() { return s.resourceTypes(); }
      @Override public List<String> searchParameters(String type) { return s.searchParameters(type); }
      @Override public Resource read(RequestContext ctx, String type, String id) { return s.read(ctx, type, id); }
      @Override public Resource vread(RequestContext ctx, String type, String id, long version) {
        return s.vread(ctx, type, id, version);
      }
      @Override public WriteResult create(RequestContext ctx, Resource resource, String ifNoneExist) {
        return s.create(ctx, resource, ifNoneExist);
      }
      @Override public WriteResult update(
          RequestContext ctx, String type, String id, Resource resource, Long expectedVersion) {
        return s.update(ctx, type, id, resource, expectedVersion);
      }
      @Override public WriteResult delete(RequestContext ctx, String type, String id) { return s.delete(ctx, type, id); }
      @Override public List<HistoryEntry> history(RequestContext ctx, String type, String id) {
        return s.history(ctx, type, id);
      }
      @Override public SearchResult search(RequestContext ctx, String type, SearchRequest request) {
        return s.search(ctx, type, request);
      }
      @Override public Bundle transaction(RequestContext ctx, Bundle bundle) { return s.transaction(ctx, bundle); }
      @Override public void recordUnauthenticated(String address, String interaction, String resourceType) {
        s.recordUnauthenticated(address, interaction, resourceType);
      }
    };
  }
}
