package health.ward.server;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import health.ward.common.WardException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure of a FHIR request into status + {@code OperationOutcome}, and nothing else:
 * no exception message from below the records service, no stack trace. It takes the place of
 * HAPI's exception pre-processing, which would log 4xx messages (they may quote the request body)
 * and put internal messages into the outcome; HAPI then only writes the finished outcome, in the
 * encoding the client negotiated. (A {@code SERVER_HANDLE_EXCEPTION} hook that writes the
 * response itself is not used: HAPI 8 logs the original exception, message and stack, whenever
 * such a hook claims the response.)
 *
 * <p>Logs never hold resource content: server failures are logged with the exception type, the
 * Ward error code and where it was thrown; client errors are not logged above DEBUG.
 */
final class ErrorInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorInterceptor.class);

  @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
  public BaseServerResponseException classify(RequestDetails rd, Throwable t) {
    Failure f = classify(t, rd != null && rd.getHeader("If-Match") != null);
    if (f.status() >= 500) {
      StackTraceElement[] st = rootOf(t).getStackTrace();
      LOG.warn(
          "FHIR {} failed: status={} code={} exception={} at={}",
          rd == null || rd.getRestOperationType() == null ? "request" : rd.getRestOperationType().getCode(),
          f.status(), f.code(), rootOf(t).getClass().getName(), st.length > 0 ? st[0] : "?");
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("FHIR request refused: status={} code={}", f.status(), f.code());
    }
    return new Failure.Raised(f);
  }

  static Failure classify(Throwable t, boolean fromIfMatch) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof WardException w) return Failure.of(w, fromIfMatch);
      if (c instanceof Failure.Raised r) return r.failure();
    }
    if (t instanceof BaseServerResponseException b) return Failure.ofHapi(b);
    return Failure.internal();
  }

  private static Throwable rootOf(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
      if (x instanceof WardException) return x;
    }
    return c;
  }
}
