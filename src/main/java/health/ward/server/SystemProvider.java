package health.ward.server;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import health.ward.common.WardException;
import health.ward.records.RecordsService;
import org.hl7.fhir.r4.model.Bundle;

/** System-level interactions: {@code transaction} and {@code batch} bundles POSTed to the base. */
final class SystemProvider {
  private final RecordsService records;

  SystemProvider(RecordsService records) {
    this.records = records;
  }

  @Transaction
  public Bundle transaction(@TransactionParam Bundle bundle, RequestDetails rd) {
    var ctx = BearerAuthFilter.context(rd);
    if (bundle.getType() != Bundle.BundleType.TRANSACTION && bundle.getType() != Bundle.BundleType.BATCH) {
      throw new WardException.InvalidResource("Only transaction and batch bundles can be POSTed to the base");
    }
    return records.transaction(ctx, bundle);
  }
}
