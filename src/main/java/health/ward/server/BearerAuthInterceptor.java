package health.ward.server;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import health.ward.access.Principal;
import health.ward.auth.Authenticator;
import health.ward.common.WardException;
import health.ward.records.RequestContext;
import java.util.Objects;

/**
 * Requires {@code Authorization: Bearer <token>} on every FHIR interaction except
 * {@code GET /metadata}. A refused request is recorded through the records service (so a probe
 * without credentials is in the ledger) and answered 401. An accepted one carries a
 * {@link RequestContext} for the provider methods ({@link #context(RequestDetails)}).
 *
 * <p>Runs after HAPI has chosen the handler, so the recorded interaction and resource type are
 * exact; requests HAPI cannot route at all (unknown resource type, unknown operation) are answered
 * 4xx before this point without touching any record.
 */
final class BearerAuthInterceptor {
  private static final String CONTEXT_KEY = BearerAuthInterceptor.class.getName() + ".context";
  private static final String BEARER = "bearer ";

  private final Authenticator authenticator;
  private final Records records;

  BearerAuthInterceptor(Authenticator authenticator, Records records) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.records = Objects.requireNonNull(records, "records");
  }

  @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
  public void authenticate(RequestDetails rd, RestOperationTypeEnum operation) {
    if (operation == RestOperationTypeEnum.METADATA) return;
    String address = rd instanceof ServletRequestDetails s ? s.getServletRequest().getRemoteAddr() : null;
    Principal who;
    try {
      who = authenticator.authenticate(bearerToken(rd.getHeader("Authorization")));
    } catch (WardException.Unauthenticated e) {
      records.recordUnauthenticated(address, operation == null ? "unknown" : operation.getCode(), rd.getResourceName());
      throw e;
    }
    rd.getUserData().put(CONTEXT_KEY, new RequestContext(who, address, rd.getHeader("User-Agent")));
  }

  /** The context set by {@link #authenticate}; its absence is a wiring bug, not a client error. */
  static RequestContext context(RequestDetails rd) {
    Object ctx = rd.getUserData().get(CONTEXT_KEY);
    if (ctx instanceof RequestContext c) return c;
    throw new IllegalStateException("request reached a provider without authentication");
  }

  private static String bearerToken(String header) {
    if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new WardException.Unauthenticated("missing bearer token");
    }
    String token = header.substring(BEARER.length()).strip();
    if (token.isEmpty()) throw new WardException.Unauthenticated("missing bearer token");
    return token;
  }
}
