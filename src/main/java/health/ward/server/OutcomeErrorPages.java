package health.ward.server;

import health.ward.common.WardException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Jetty's own error pages (malformed URIs, ambiguous path separators, paths outside
 * {@code /fhir}, failures outside HAPI) as a FHIR OperationOutcome instead of HTML. Only the
 * status and its standard reason phrase are used; never the exception or its message.
 */
final class OutcomeErrorPages {
  private OutcomeErrorPages() {}

  static Failure failure(int status) {
    if (status >= 500) return Failure.internal();
    String code =
        switch (status) {
          case 401 -> WardException.Code.UNAUTHENTICATED.name();
          case 403 -> WardException.Code.FORBIDDEN.name();
          case 404 -> WardException.Code.NOT_FOUND.name();
          case 413 -> WardException.Code.TOO_LARGE.name();
          default -> WardException.Code.INVALID_REQUEST.name();
        };
    String reason = HttpStatus.getMessage(status);
    return new Failure(status < 400 ? 400 : status, code, status == 404 ? IssueType.NOTFOUND : IssueType.INVALID,
        reason == null ? "Bad request" : reason);
  }

  static byte[] body(Failure f) {
    return FhirInputs.CTX.newJsonParser().encodeResourceToString(f.toOperationOutcome()).getBytes(StandardCharsets.UTF_8);
  }

  private static boolean writeOutcome(Response response, Callback callback, int code) {
    Failure f = failure(code);
    response.setStatus(f.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/fhir+json;charset=utf-8");
    response.write(true, ByteBuffer.wrap(body(f)), callback);
    return true;
  }

  /** For errors Jetty raises before or outside the servlet context. */
  static final class ForServer extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
        String contentType, List<Charset> charsets, int code, String message, Throwable cause) {
      return writeOutcome(response, callback, code);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(HttpHeader.CONTENT_TYPE, "application/fhir+json;charset=utf-8");
      return ByteBuffer.wrap(body(failure(status)));
    }
  }

  /** For errors inside the servlet context that did not reach HAPI (e.g. no servlet for the path). */
  static final class ForContext extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
        String contentType, List<Charset> charsets, int code, String message, Throwable cause) {
      return writeOutcome(response, callback, code);
    }
  }

  /** The shared FHIR context, reached without a constructor argument from Jetty's error path. */
  private static final class FhirInputs {
    static final ca.uhn.fhir.context.FhirContext CTX = ca.uhn.fhir.context.FhirContext.forR4Cached();
  }
}
