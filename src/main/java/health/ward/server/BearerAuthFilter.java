package health.ward.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import health.ward.access.Principal;
import health.ward.auth.Authenticator;
import health.ward.common.WardException;
import health.ward.records.RecordsService;
import health.ward.records.RequestContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requires {@code Authorization: Bearer <token>} on every FHIR request except
 * {@code GET /fhir/metadata}, before the body is read or HAPI parses anything. A refused request is
 * recorded through the records service (so a probe without credentials is in the ledger) and
 * answered 401 with an OperationOutcome; an accepted one carries a {@link RequestContext} for the
 * provider methods ({@link #context(RequestDetails)}).
 *
 * <p>A servlet filter rather than a HAPI hook: HAPI logs every exception thrown from a hook at
 * ERROR with its stack trace, and would parse the body before a later hook could refuse.
 */
final class BearerAuthFilter implements Filter {
  private static final Logger LOG = LoggerFactory.getLogger(BearerAuthFilter.class);
  private static final String CONTEXT_KEY = BearerAuthFilter.class.getName() + ".context";
  private static final String BEARER = "bearer ";
  /** The header a client declares its purpose of use in (an HL7 v3 PurposeOfUse code; default TREAT). */
  static final String PURPOSE_HEADER = "X-Purpose-Of-Use";
  /**
   * The header a clinician breaks the glass with on a request for one patient's record: its value
   * is the reason (10 to 500 characters).
   */
  static final String BREAK_GLASS_HEADER = "X-Break-Glass";

  private final Authenticator authenticator;
  private final RecordsService records;
  private final FhirContext ctx;

  BearerAuthFilter(Authenticator authenticator, RecordsService records, FhirContext ctx) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.records = Objects.requireNonNull(records, "records");
    this.ctx = ctx;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest req = (HttpServletRequest) request;
    String[] path = segments(req.getPathInfo());
    if (isMetadata(req.getMethod(), path)) {
      chain.doFilter(request, response);
      return;
    }
    Principal who;
    try {
      who = authenticator.authenticate(bearerToken(req.getHeader("Authorization")));
    } catch (WardException.Unauthenticated e) {
      refuse(req, (HttpServletResponse) response, path, e);
      return;
    } catch (WardException e) {
      // The token store is unreachable or similar: fail closed with the mapped status (503).
      fail(req, (HttpServletResponse) response, Failure.of(e, false), e);
      return;
    } catch (RuntimeException e) {
      fail(req, (HttpServletResponse) response, Failure.internal(), e);
      return;
    }
    RequestContext context;
    try {
      context = new RequestContext(who, req.getRemoteAddr(), req.getHeader("User-Agent"))
          .withPurpose(RequestContext.purpose(req.getHeader(PURPOSE_HEADER)));
      String emergency = req.getHeader(BREAK_GLASS_HEADER);
      if (emergency != null) context = context.withEmergency(emergency);
    } catch (WardException e) {
      if (BodyLimitFilter.hasBody(req)) ((HttpServletResponse) response).setHeader("Connection", "close");
      Failure.of(e, false).write(ctx, (HttpServletResponse) response, BodyLimitFilter.wantsXml(req));
      return;
    }
    req.setAttribute(CONTEXT_KEY, context);
    chain.doFilter(request, response);
  }

  private void refuse(HttpServletRequest req, HttpServletResponse resp, String[] path, WardException.Unauthenticated e)
      throws IOException {
    Failure f;
    try {
      records.recordUnauthenticated(
          req.getRemoteAddr(), req.getHeader("User-Agent"), interaction(req.getMethod(), path), resourceType(path));
      f = Failure.of(e, false);
    } catch (WardException recordFailed) {
      // Fail closed: a refusal that cannot be recorded is answered as the recording failure.
      f = Failure.of(recordFailed, false);
      LOG.warn("recording a refused request failed: code={}", f.code());
    } catch (RuntimeException recordFailed) {
      f = Failure.internal();
      LOG.warn("recording a refused request failed: exception={}", recordFailed.getClass().getName());
    }
    // A body the client is still sending stays unread: close rather than drain it.
    if (BodyLimitFilter.hasBody(req)) resp.setHeader("Connection", "close");
    f.write(ctx, resp, BodyLimitFilter.wantsXml(req));
  }

  private void fail(HttpServletRequest req, HttpServletResponse resp, Failure f, RuntimeException e) throws IOException {
    LOG.warn("authentication failed: status={} code={} exception={}", f.status(), f.code(), e.getClass().getName());
    if (BodyLimitFilter.hasBody(req)) resp.setHeader("Connection", "close");
    f.write(ctx, resp, BodyLimitFilter.wantsXml(req));
  }

  /** The context of an authenticated request; its absence is a wiring bug, not a client error. */
  static RequestContext context(RequestDetails rd) {
    Object c = rd instanceof ServletRequestDetails s ? s.getServletRequest().getAttribute(CONTEXT_KEY) : null;
    if (c instanceof RequestContext rc) return rc;
    throw new IllegalStateException("request reached a provider without authentication");
  }

  private static String bearerToken(String header) {
    if (header == null
        || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new WardException.Unauthenticated("missing bearer token");
    }
    String token = header.substring(BEARER.length()).strip();
    if (token.isEmpty()) throw new WardException.Unauthenticated("missing bearer token");
    return token;
  }

  static String[] segments(String pathInfo) {
    if (pathInfo == null) return new String[0];
    String p = pathInfo.startsWith("/") ? pathInfo.substring(1) : pathInfo;
    if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }

  static boolean isMetadata(String method, String[] path) {
    return ("GET".equals(method) || "HEAD".equals(method)) && path.length == 1 && path[0].equals("metadata");
  }

  /** The FHIR interaction code the request asks for, as well as can be told before routing. */
  static String interaction(String method, String[] p) {
    int n = p.length;
    boolean typed = n >= 1 && resourceType(p) != null;
    boolean history = n >= 2 && p[n - 1].equals("_history");
    return switch (method) {
      case "GET", "HEAD" -> {
        if (n == 0) yield "search-system";
        if (!typed) yield p[0].equals("_history") ? "history-system" : "operation";
        if (n == 1) yield "search-type";
        if (n == 2) yield history ? "history-type" : p[1].startsWith("$") ? "operation" : "read";
        if (n == 3 && history) yield "history-instance";
        if (n == 4 && p[2].equals("_history")) yield "vread";
        yield "operation";
      }
      case "POST" -> {
        if (n == 0) yield "transaction";
        if (!typed) yield "operation";
        if (n == 1) yield "create";
        if (n == 2 && p[1].equals("_search")) yield "search-type";
        yield "operation";
      }
      case "PUT" -> typed && n == 2 ? "update" : "operation";
      case "DELETE" -> typed && n == 2 ? "delete" : "operation";
      case "PATCH" -> typed && n == 2 ? "patch" : "operation";
      default -> "unknown";
    };
  }

  static String resourceType(String[] p) {
    if (p.length == 0 || p[0].isEmpty()) return null;
    char c = p[0].charAt(0);
    return c >= 'A' && c <= 'Z' && p[0].chars().allMatch(Character::isLetterOrDigit) && p[0].length() <= 64 ? p[0] : null;
  }
}
