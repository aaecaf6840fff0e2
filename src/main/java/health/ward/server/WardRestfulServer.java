package health.ward.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.ETagSupportEnum;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.List;

/**
 * HAPI's plain server, configured once: JSON by default, no pretty printing, ETags on, no paging
 * provider (searches page by offset, see {@link SearchPages}), Ward's own capability statement,
 * authentication and error mapping.
 */
final class WardRestfulServer extends RestfulServer {
  private static final long serialVersionUID = 1L;

  private final transient List<IResourceProvider> providers;
  private final transient Object[] plainProviders;
  private final transient CapabilityProvider capabilities;
  private final transient Object[] interceptors;

  WardRestfulServer(
      FhirContext ctx,
      List<RecordProvider> providers,
      AuditEventProvider auditEvents,
      List<Object> plainProviders,
      CapabilityProvider capabilities,
      List<Object> interceptors) {
    super(ctx);
    List<IResourceProvider> all = new java.util.ArrayList<>(providers);
    all.add(auditEvents);
    this.providers = List.copyOf(all);
    this.plainProviders = plainProviders.toArray();
    this.capabilities = capabilities;
    this.interceptors = interceptors.toArray();
  }

  /** No product or version banner for scanners: the header names the server and nothing else. */
  @Override
  protected String createPoweredByHeader() {
    return "Ward";
  }

  @Override
  protected void initialize() {
    setDefaultResponseEncoding(EncodingEnum.JSON);
    setDefaultPrettyPrint(false);
    setETagSupport(ETagSupportEnum.ENABLED);
    setPagingProvider(null);
    setServerName("Ward");
    setResourceProviders(List.copyOf(providers));
    registerProviders(plainProviders);
    setServerConformanceProvider(capabilities);
    for (Object i : interceptors) registerInterceptor(i);
  }
}
