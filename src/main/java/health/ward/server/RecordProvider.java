package health.ward.server;

import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import health.ward.common.WardException;
import health.ward.records.HistoryEntry;
import health.ward.records.RecordsService;
import health.ward.records.RequestContext;
import health.ward.records.SearchResult;
import health.ward.records.WriteResult;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;

/**
 * The FHIR REST interactions of one resource type, all handed to the records service: read,
 * vread, create (with {@code If-None-Exist}), update (with {@code If-Match}), delete, instance
 * history and type search. One instance per type; the type comes from the constructor.
 */
final class RecordProvider implements IResourceProvider {
  private final String type;
  private final Class<? extends Resource> resourceClass;
  private final RecordsService records;
  private final SearchPages pages;

  RecordProvider(String type, Class<? extends Resource> resourceClass, RecordsService records, SearchPages pages) {
    this.type = type;
    this.resourceClass = resourceClass;
    this.records = records;
    this.pages = pages;
  }

  @Override
  public Class<? extends IBaseResource> getResourceType() {
    return resourceClass;
  }

  @Read(version = true)
  public Resource read(@IdParam IdType id, RequestDetails rd) {
    RequestContext ctx = BearerAuthFilter.context(rd);
    String logical = FhirInput.logicalId(id.getIdPart());
    Resource r =
        id.hasVersionIdPart()
            ? records.vread(ctx, type, logical, FhirInput.version(id.getVersionIdPart()))
            : records.read(ctx, type, logical);
    return FhirInput.withVersionedId(r, type);
  }

  @Create
  public MethodOutcome create(@ResourceParam IBaseResource body, RequestDetails rd) {
    RequestContext ctx = BearerAuthFilter.context(rd);
    Resource r = (Resource) body;
    String ifNoneExist = rd.getHeader("If-None-Exist");
    return outcome(records.create(ctx, r, ifNoneExist == null || ifNoneExist.isBlank() ? null : ifNoneExist));
  }

  @Update
  public MethodOutcome update(@IdParam IdType id, @ResourceParam IBaseResource body, RequestDetails rd) {
    RequestContext ctx = BearerAuthFilter.context(rd);
    String logical = FhirInput.logicalId(id.getIdPart());
    Long expected = FhirInput.ifMatch(rd.getHeader("If-Match"));
    Resource r = (Resource) body;
    String bodyId = r.getIdElement().getIdPart();
    if (bodyId != null && !bodyId.equals(logical)) {
      throw new WardException.InvalidResource("Resource id in the body does not match the id in the URL");
    }
    r.setId(logical);
    return outcome(records.update(ctx, type, logical, r, expected));
  }

  @Delete
  public MethodOutcome delete(@IdParam IdType id, RequestDetails rd) {
    RequestContext ctx = BearerAuthFilter.context(rd);
    WriteResult w = records.delete(ctx, type, FhirInput.logicalId(id.getIdPart()));
    MethodOutcome o = new MethodOutcome(new IdType(type, w.id(), Long.toString(w.version())));
    o.setResponseStatusCode(200);
    return o;
  }

  @History
  public Bundle history(@IdParam IdType id, RequestDetails rd) {
    RequestContext ctx = BearerAuthFilter.context(rd);
    String logical = FhirInput.logicalId(id.getIdPart());
    List<HistoryEntry> entries = records.history(ctx, type, logical);
    String base = rd.getFhirServerBase();
    Bundle b = new Bundle().setType(Bundle.BundleType.HISTORY).setTotal(entries.size());
    // HAPI requires an id on a returned history bundle; it names this response, nothing stored.
    b.setId(UUID.randomUUID().toString());
    b.addLink().setRelation("self").setUrl(base + "/" + type + "/" + logical + "/_history");
    for (HistoryEntry h : entries) {
      Bundle.BundleEntryComponent e = b.addEntry().setFullUrl(base + "/" + h.type() + "/" + h.id());
      String etag = "W/\"" + h.version() + "\"";
      if (h.deleted()) {
        e.getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(h.type() + "/" + h.id());
        e.getResponse().setStatus("204").setEtag(etag);
      } else {
        e.setResource(FhirInput.withVersionedId(h.resource(), h.type()));
        boolean first = h.version() == 1;
        e.getRequest()
            .setMethod(first ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT)
            .setUrl(first ? h.type() : h.type() + "/" + h.id());
        e.getResponse().setStatus(first ? "201" : "200").setEtag(etag);
      }
      if (h.lastUpdated() != null) e.getResponse().setLastModifiedElement(new InstantType(java.util.Date.from(h.lastUpdated())));
    }
    return b;
  }

  @Search(allowUnknownParams = true)
  public Bundle search(RequestDetails rd) {
    RequestContext ctx = BearerAuthFilter.context(rd);
    SearchPages.Page page = pages.request(rd.getParameters());
    SearchResult result = records.search(ctx, type, page.request());
    return pages.bundle(rd.getFhirServerBase(), type, page, result);
  }

  private MethodOutcome outcome(WriteResult w) {
    MethodOutcome o = new MethodOutcome(new IdType(w.type(), w.id(), Long.toString(w.version())));
    o.setCreated(w.created());
    if (w.resource() != null) o.setResource(FhirInput.withVersionedId(w.resource(), w.type()));
    return o;
  }
}
