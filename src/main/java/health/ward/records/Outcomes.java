package health.ward.records;

import health.ward.common.WardException;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * The one mapping of Ward's errors to FHIR: HTTP status, OperationOutcome issue type, and the
 * stable code in {@code issue.details}. Used by the HTTP layer and inside batch responses.
 */
public final class Outcomes {
  /** System of the stable error codes in OperationOutcome.issue.details. */
  public static final String CODE_SYSTEM = "https://ward.health/fhir/CodeSystem/error";

  private Outcomes() {}

  public static int status(WardException e) {
    return switch (e) {
      case WardException.NotFound x -> 404;
      case WardException.Gone x -> 410;
      case WardException.Unauthenticated x -> 401;
      case WardException.Forbidden x -> 403;
      case WardException.InvalidResource x -> 400;
      case WardException.InvalidRequest x -> 400;
      case WardException.VersionConflict x -> 409;
      case WardException.TooLarge x -> 413;
      case WardException.RateLimited x -> 429;
      case WardException.IntegrityFailure x -> 500;
      case WardException.LedgerUnavailable x -> 503;
      case WardException.KeyUnavailable x -> 503;
      case WardException.StoreUnavailable x -> 503;
    };
  }

  static IssueType issueType(WardException e) {
    return switch (e) {
      case WardException.NotFound x -> IssueType.NOTFOUND;
      case WardException.Gone x -> IssueType.DELETED;
      case WardException.Unauthenticated x -> IssueType.LOGIN;
      case WardException.Forbidden x -> IssueType.FORBIDDEN;
      case WardException.InvalidResource x -> IssueType.INVALID;
      case WardException.InvalidRequest x -> IssueType.INVALID;
      case WardException.VersionConflict x -> IssueType.CONFLICT;
      case WardException.TooLarge x -> IssueType.TOOLONG;
      case WardException.RateLimited x -> IssueType.THROTTLED;
      case WardException.IntegrityFailure x -> IssueType.EXCEPTION;
      case WardException.LedgerUnavailable x -> IssueType.TRANSIENT;
      case WardException.KeyUnavailable x -> IssueType.TRANSIENT;
      case WardException.StoreUnavailable x -> IssueType.TRANSIENT;
    };
  }

  /**
   * The message a client sees. Server-side failures get a fixed text: their details (SQL, file
   * paths) stay in the server's log.
   */
  public static String clientMessage(WardException e) {
    return switch (e) {
      case WardException.IntegrityFailure x -> "integrity check failed: " + x.getMessage();
      case WardException.LedgerUnavailable x -> "the audit ledger is unavailable; the request was refused and nothing was returned or written";
      case WardException.KeyUnavailable x -> "a key needed for this request is unavailable; the request was refused";
      case WardException.StoreUnavailable x -> "the database is unavailable; the request was refused";
      default -> e.getMessage();
    };
  }

  public static OperationOutcome operationOutcome(WardException e) {
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue()
        .setSeverity(status(e) >= 500 ? IssueSeverity.FATAL : IssueSeverity.ERROR)
        .setCode(issueType(e))
        .setDiagnostics(clientMessage(e))
        .setDetails(new CodeableConcept(new Coding(CODE_SYSTEM, e.code().name(), null)).setText(clientMessage(e)));
    return oo;
  }

  /** The same error with a prefix naming where it happened (e.g. "entry 3: "). */
  public static WardException prefixed(WardException e, String prefix) {
    String m = prefix + e.getMessage();
    return switch (e) {
      case WardException.NotFound x -> new WardException.NotFound(m);
      case WardException.Gone x -> new WardException.Gone(m);
      case WardException.Unauthenticated x -> new WardException.Unauthenticated(m);
      case WardException.Forbidden x -> new WardException.Forbidden(m);
      case WardException.InvalidResource x -> new WardException.InvalidResource(m, x.getCause());
      case WardException.InvalidRequest x -> new WardException.InvalidRequest(m);
      case WardException.VersionConflict x -> new WardException.VersionConflict(m);
      case WardException.TooLarge x -> new WardException.TooLarge(m);
      case WardException.RateLimited x -> new WardException.RateLimited(m);
      case WardException.IntegrityFailure x -> new WardException.IntegrityFailure(m, x.getCause());
      case WardException.LedgerUnavailable x -> new WardException.LedgerUnavailable(m, x.getCause());
      case WardException.KeyUnavailable x -> new WardException.KeyUnavailable(m, x.getCause());
      case WardException.StoreUnavailable x -> new WardException.StoreUnavailable(m, x.getCause());
    };
  }
}
