package health.ward.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import health.ward.common.WardException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * A refused request as the client sees it: HTTP status, a stable code (one of
 * {@link WardException.Code} or {@link #INTERNAL_ERROR}) and a message that is safe to show. It
 * becomes an {@code OperationOutcome} whose {@code issue.details.coding} carries the code.
 *
 * <p>{@link #of(WardException, boolean)} is the one place a {@link WardException} becomes HTTP.
 */
record Failure(int status, String code, IssueType issueType, String message) {
  static final String CODE_SYSTEM = "https://ward.health/fhir/CodeSystem/error";
  static final String INTERNAL_ERROR = "INTERNAL_ERROR";
  static final String CHALLENGE = "Bearer realm=\"ward\"";

  Failure {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(issueType, "issueType");
    Objects.requireNonNull(message, "message");
  }

  /**
   * Maps the error family to HTTP.
   *
   * @param fromIfMatch the request carried {@code If-Match}: a version conflict is then a failed
   *     precondition (412, as FHIR asks for conditional updates), otherwise a conflict (409)
   */
  static Failure of(WardException e, boolean fromIfMatch) {
    String code = e.code().name();
    String m = e.getMessage() == null ? code : e.getMessage();
    return switch (e) {
      case WardException.NotFound x -> new Failure(404, code, IssueType.NOTFOUND, m);
      case WardException.Gone x -> new Failure(410, code, IssueType.DELETED, m);
      case WardException.Unauthenticated x ->
          new Failure(401, code, IssueType.LOGIN, "Authentication required: send Authorization: Bearer <token>");
      case WardException.Forbidden x -> new Failure(403, code, IssueType.FORBIDDEN, m);
      case WardException.InvalidResource x -> new Failure(400, code, IssueType.INVALID, m);
      case WardException.InvalidRequest x -> new Failure(400, code, IssueType.INVALID, m);
      case WardException.VersionConflict x -> new Failure(fromIfMatch ? 412 : 409, code, IssueType.CONFLICT, m);
      case WardException.TooLarge x -> new Failure(413, code, IssueType.TOOLONG, m);
      case WardException.RateLimited x -> new Failure(429, code, IssueType.THROTTLED, m);
      // Fixed messages for server-side failures: the cause is for the operator's log, not the client.
      case WardException.IntegrityFailure x ->
          new Failure(500, code, IssueType.EXCEPTION, "Stored data failed an integrity check; the request was refused");
      case WardException.LedgerUnavailable x ->
          new Failure(503, code, IssueType.TRANSIENT, "The audit ledger is unavailable; the request was refused");
      case WardException.KeyUnavailable x ->
          new Failure(503, code, IssueType.TRANSIENT, "A record key is unavailable; the request was refused");
      case WardException.StoreUnavailable x ->
          new Failure(503, code, IssueType.TRANSIENT, "The record store is unavailable; the request was refused");
    };
  }

  /** Any failure other than the error family is an internal error with a generic message. */
  static Failure internal() {
    return new Failure(500, INTERNAL_ERROR, IssueType.EXCEPTION, "Internal server error");
  }

  /**
   * A 4xx that HAPI itself raised (unknown resource type, unparseable URL, unsupported method);
   * its message is about the request, not about stored data.
   */
  static Failure ofHapi(BaseServerResponseException e) {
    int s = e.getStatusCode();
    if (s < 400 || s >= 500) return internal();
    if (s == 400 && (causedBy(e, ca.uhn.fhir.parser.DataFormatException.class)
        || String.valueOf(e.getMessage()).startsWith("HAPI-0450"))) {
      // HAPI parses bodies itself before the provider runs; a body it cannot parse is an invalid resource.
      return new Failure(400, WardException.Code.INVALID_RESOURCE.name(), IssueType.INVALID,
          withoutHapiCode(e.getMessage(), "Invalid resource"));
    }
    String code =
        switch (s) {
          case 401 -> WardException.Code.UNAUTHENTICATED.name();
          case 403 -> WardException.Code.FORBIDDEN.name();
          case 404 -> WardException.Code.NOT_FOUND.name();
          case 409, 412 -> WardException.Code.VERSION_CONFLICT.name();
          case 410 -> WardException.Code.GONE.name();
          case 413 -> WardException.Code.TOO_LARGE.name();
          case 422 -> WardException.Code.INVALID_RESOURCE.name();
          default -> WardException.Code.INVALID_REQUEST.name();
        };
    IssueType type =
        switch (s) {
          case 404 -> IssueType.NOTFOUND;
          case 405, 501 -> IssueType.NOTSUPPORTED;
          default -> IssueType.INVALID;
        };
    return new Failure(s, code, type, withoutHapiCode(e.getMessage(), "Invalid request"));
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) return true;
    }
    return false;
  }

  /** Drops HAPI's "HAPI-0123: " message prefix; keeps messages short. */
  static String withoutHapiCode(String message, String fallback) {
    if (message == null || message.isBlank()) return fallback;
    String m = message.startsWith("HAPI-") && message.indexOf(": ") > 0 ? message.substring(message.indexOf(": ") + 2) : message;
    return m.length() > 500 ? m.substring(0, 500) + "…" : m;
  }

  OperationOutcome toOperationOutcome() {
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue()
        .setSeverity(status >= 500 ? OperationOutcome.IssueSeverity.FATAL : OperationOutcome.IssueSeverity.ERROR)
        .setCode(issueType)
        .setDetails(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(CODE_SYSTEM, code, null)).setText(code))
        .setDiagnostics(message);
    return oo;
  }

  /** Writes status, headers and the OperationOutcome; {@code xml} when the client asked for XML. */
  void write(FhirContext ctx, HttpServletResponse resp, boolean xml) throws IOException {
    OperationOutcome oo = toOperationOutcome();
    byte[] body =
        (xml ? ctx.newXmlParser() : ctx.newJsonParser()).encodeResourceToString(oo).getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.setContentType((xml ? "application/fhir+xml" : "application/fhir+json") + ";charset=utf-8");
    if (status == 401) resp.setHeader("WWW-Authenticate", CHALLENGE);
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }

  /**
   * A failure in the form HAPI's exception writer expects: the status, the finished
   * OperationOutcome (so HAPI adds nothing of its own) and, for 401, the Bearer challenge.
   */
  static final class Raised extends BaseServerResponseException {
    private final transient Failure failure;

    Raised(Failure failure) {
      super(failure.status(), failure.message(), failure.toOperationOutcome());
      this.failure = failure;
      if (failure.status() == 401) addResponseHeader("WWW-Authenticate", CHALLENGE);
    }

    Failure failure() {
      return failure;
    }
  }
}
