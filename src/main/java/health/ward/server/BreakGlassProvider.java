package health.ward.server;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import health.ward.common.WardException;
import health.ward.records.RecordsService;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST /fhir/Patient/{id}/$break-glass} with a {@code reason} parameter: a clinician
 * without a care relationship declares an emergency and gets time-boxed access to that one
 * patient. Answers the grant's id and expiry; the grant is in the ledger and listed for review.
 */
final class BreakGlassProvider {
  private final RecordsService records;

  BreakGlassProvider(RecordsService records) {
    this.records = records;
  }

  @Operation(name = "$break-glass", type = Patient.class, idempotent = false)
  public Parameters breakGlass(
      @IdParam IdType id, @OperationParam(name = "reason", min = 1, max = 1) StringType reason, RequestDetails rd) {
    if (reason == null || !reason.hasValue()) throw new WardException.InvalidRequest("the parameter 'reason' is required");
    RecordsService.EmergencyAccess granted =
        records.breakGlass(BearerAuthFilter.context(rd), FhirInput.logicalId(id.getIdPart()), reason.getValue());
    Parameters out = new Parameters();
    out.addParameter().setName("grant").setValue(new IntegerType((int) granted.grant()));
    out.addParameter().setName("patient").setValue(new StringType("Patient/" + granted.patientId()));
    out.addParameter().setName("expires").setValue(new DateTimeType(java.util.Date.from(granted.expires())));
    return out;
  }
}
