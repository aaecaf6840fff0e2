package health.ward.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.annotation.Metadata;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IServerConformanceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import health.ward.records.RecordsService;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.Enumerations;

/**
 * {@code GET /metadata}: what this server does, built once at start from the records service
 * (types and their search parameters) rather than from HAPI's view of the providers, whose
 * generic search method declares no parameters. Public only because HAPI calls
 * {@link #setRestfulServer} reflectively.
 */
public final class CapabilityProvider implements IServerConformanceProvider<CapabilityStatement> {
  private static final List<TypeRestfulInteraction> INTERACTIONS =
      List.of(
          TypeRestfulInteraction.READ,
          TypeRestfulInteraction.VREAD,
          TypeRestfulInteraction.UPDATE,
          TypeRestfulInteraction.DELETE,
          TypeRestfulInteraction.HISTORYINSTANCE,
          TypeRestfulInteraction.CREATE,
          TypeRestfulInteraction.SEARCHTYPE);

  private final CapabilityStatement statement;

  CapabilityProvider(FhirContext ctx, RecordsService records, Clock clock, String version) {
    this.statement = build(ctx, records, clock, version);
  }

  @Override
  @Metadata
  public CapabilityStatement getServerConformance(HttpServletRequest request, RequestDetails rd) {
    // A copy per request: HAPI may decorate the resource it serialises.
    return statement.copy();
  }

  @Override
  public void setRestfulServer(RestfulServer server) {
    // built from the records service, not from the server's method bindings
  }

  private static CapabilityStatement build(FhirContext ctx, RecordsService records, Clock clock, String version) {
    CapabilityStatement cs = new CapabilityStatement();
    cs.setStatus(Enumerations.PublicationStatus.ACTIVE);
    cs.setDate(Date.from(clock.instant()));
    cs.setPublisher("Ward");
    cs.setKind(CapabilityStatement.CapabilityStatementKind.INSTANCE);
    cs.getSoftware().setName("Ward").setVersion(version);
    cs.getImplementation().setDescription("Ward FHIR R4 server: encrypted per-patient records, audited access");
    cs.setFhirVersion(Enumerations.FHIRVersion._4_0_1);
    cs.addFormat("application/fhir+json");
    cs.addFormat("application/fhir+xml");
    CapabilityStatementRestComponent rest = cs.addRest();
    rest.setMode(CapabilityStatement.RestfulCapabilityMode.SERVER);
    rest.getSecurity()
        .setCors(false)
        .setDescription("Every interaction except GET /metadata requires Authorization: Bearer <token>: a staff session"
            + " (sign in at /signin) or an OAuth client-credentials token (POST /auth/token), with SMART scopes.");
    rest.addInteraction().setCode(CapabilityStatement.SystemRestfulInteraction.TRANSACTION);
    rest.addInteraction().setCode(CapabilityStatement.SystemRestfulInteraction.BATCH);
    for (String type : new TreeSet<>(records.resourceTypes())) {
      CapabilityStatementRestResourceComponent r = rest.addResource().setType(type);
      r.setProfile("http://hl7.org/fhir/StructureDefinition/" + type);
      for (TypeRestfulInteraction i : INTERACTIONS) r.addInteraction().setCode(i);
      r.setVersioning(CapabilityStatement.ResourceVersionPolicy.VERSIONED);
      r.setReadHistory(true);
      r.setUpdateCreate(true);
      r.setConditionalCreate(true);
      r.setConditionalUpdate(false);
      r.setConditionalDelete(CapabilityStatement.ConditionalDeleteStatus.NOTSUPPORTED);
      RuntimeResourceDefinition def = ctx.getResourceDefinition(type);
      List<String> params = records.searchParameters(type);
      for (String name : params) {
        r.addSearchParam().setName(name).setType(searchParamType(def, name));
      }
      for (String ref : List.of("patient", "subject")) {
        if (params.contains(ref) && !type.equals("Patient")) r.addSearchInclude(type + ":" + ref);
      }
    }
    for (CapabilityStatementRestResourceComponent r : rest.getResource()) {
      if (!r.getType().equals("Patient")) continue;
      for (CapabilityStatementRestResourceComponent other : rest.getResource()) {
        for (var inc : other.getSearchInclude()) r.addSearchRevInclude(inc.getValue());
      }
    }
    CapabilityStatementRestResourceComponent audit = rest.addResource().setType("AuditEvent");
    audit.setProfile("http://hl7.org/fhir/StructureDefinition/AuditEvent");
    audit.setDocumentation("The audit ledger, IHE BALP-shaped, newest first; auditor tokens only. Ids are ledger indexes"
        + " (prove one with /ledger/proof/inclusion).");
    audit.addInteraction().setCode(TypeRestfulInteraction.SEARCHTYPE);
    for (String name : records.auditEventSearchParameters()) {
      audit.addSearchParam().setName(name).setType(switch (name) {
        case "date" -> Enumerations.SearchParamType.DATE;
        case "patient", "agent" -> Enumerations.SearchParamType.REFERENCE;
        default -> Enumerations.SearchParamType.TOKEN;
      });
    }
    return cs;
  }

  private static Enumerations.SearchParamType searchParamType(RuntimeResourceDefinition def, String name) {
    RuntimeSearchParam p = def.getSearchParam(name);
    if (p != null && p.getParamType() != null) {
      try {
        return Enumerations.SearchParamType.fromCode(p.getParamType().getCode());
      } catch (org.hl7.fhir.exceptions.FHIRException e) {
        return Enumerations.SearchParamType.STRING;
      }
    }
    return switch (name) {
      case "_id" -> Enumerations.SearchParamType.TOKEN;
      case "_lastUpdated" -> Enumerations.SearchParamType.DATE;
      default -> Enumerations.SearchParamType.STRING;
    };
  }
}
