package health.ward.records;

import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * The one door to patient records: every operation decides, records the access in the ledger
 * (fail closed), and only then acts. HTTP handlers and commands call this and nothing below it.
 * Failures are {@link health.ward.common.WardException}s. SKELETON: signatures only.
 */
public final class RecordsService {

  /** Resource types this server stores (every type a Synthea bundle contains, and more). */
  public Set<String> resourceTypes() {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Search parameters supported for a type, for the CapabilityStatement. */
  public List<String> searchParameters(String type) {
    throw new UnsupportedOperationException("skeleton");
  }

  public Resource read(RequestContext ctx, String type, String id) {
    throw new UnsupportedOperationException("skeleton");
  }

  public Resource vread(RequestContext ctx, String type, String id, long version) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Creates with a server-assigned id; with {@code ifNoneExist} a matching resource is returned instead. */
  public WriteResult create(RequestContext ctx, Resource resource, String ifNoneExist) {
    throw new UnsupportedOperationException("skeleton");
  }

  /**
   * Updates (or creates with a client-chosen id). {@code expectedVersion} from If-Match, or null.
   * An update whose content equals the current version stores nothing new.
   */
  public WriteResult update(
      RequestContext ctx, String type, String id, Resource resource, Long expectedVersion) {
    throw new UnsupportedOperationException("skeleton");
  }

  public WriteResult delete(RequestContext ctx, String type, String id) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Every version, newest first. */
  public List<HistoryEntry> history(RequestContext ctx, String type, String id) {
    throw new UnsupportedOperationException("skeleton");
  }

  public SearchResult search(RequestContext ctx, String type, SearchRequest request) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Processes a {@code transaction} (all or nothing) or {@code batch} bundle; returns the response bundle. */
  public Bundle transaction(RequestContext ctx, Bundle bundle) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Records a request refused before it reached a principal (no or bad credentials). */
  public void recordUnauthenticated(String address, String interaction, String resourceType) {
    throw new UnsupportedOperationException("skeleton");
  }
}
