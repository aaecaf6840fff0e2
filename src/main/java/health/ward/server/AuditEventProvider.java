package health.ward.server;

import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import health.ward.records.RecordsService;
import health.ward.records.RequestContext;
import health.ward.records.SearchResult;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;

/**
 * {@code GET /fhir/AuditEvent?patient=&agent=&date=&action=}: the audit log as IHE BALP-shaped
 * AuditEvents, newest first, for auditor tokens. Paging as for records; every page is a search of
 * its own, decided and recorded in the ledger.
 */
final class AuditEventProvider implements IResourceProvider {
  static final String TYPE = "AuditEvent";
  private final RecordsService records;
  private final SearchPages pages;

  AuditEventProvider(RecordsService records, SearchPages pages) {
    this.records = records;
    this.pages = pages;
  }

  @Override
  public Class<? extends IBaseResource> getResourceType() {
    return AuditEvent.class;
  }

  @Search(allowUnknownParams = true)
  public Bundle search(RequestDetails rd) {
    RequestContext ctx = BearerAuthFilter.context(rd);
    SearchPages.Page page = pages.request(rd.getParameters());
    SearchResult result = records.searchAuditEvents(ctx, page.request());
    return pages.bundle(rd.getFhirServerBase(), TYPE, page, result);
  }
}
