package health.ward.server;

import ca.uhn.fhir.context.FhirContext;
import com.google.gson.Gson;
import health.ward.breach.LedgerTransparency;
import health.ward.common.WardException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's public face at {@code /ledger} (behind the same bearer authentication as FHIR):
 *
 * <ul>
 *   <li>{@code GET /ledger/checkpoint}: the newest signed checkpoint, C2SP signed-note text
 *       ({@code text/plain; charset=utf-8});
 *   <li>{@code GET /ledger/proof/inclusion?index=I&size=N}: RFC 9162 inclusion proof (JSON);
 *   <li>{@code GET /ledger/proof/consistency?from=M&to=N}: RFC 9162 consistency proof (JSON).
 * </ul>
 *
 * Bad parameters get a 400 OperationOutcome, unknown paths 404, other methods 405.
 */
final class LedgerServlet extends HttpServlet {
  static final String PATH = "/ledger";
  private static final Logger LOG = LoggerFactory.getLogger(LedgerServlet.class);
  private static final Gson GSON = new Gson();

  private final transient LedgerTransparency ledger;
  private final transient FhirContext ctx;

  LedgerServlet(LedgerTransparency ledger, FhirContext ctx) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.ctx = Objects.requireNonNull(ctx, "ctx");
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    boolean known = path.equals("/checkpoint") || path.equals("/proof/inclusion") || path.equals("/proof/consistency");
    try {
      if (!known) {
        fail(resp, new Failure(404, "NOT_FOUND", IssueType.NOTFOUND,
            "no such ledger endpoint; there are /ledger/checkpoint, /ledger/proof/inclusion and /ledger/proof/consistency"));
        return;
      }
      if (!req.getMethod().equals("GET") && !req.getMethod().equals("HEAD")) {
        resp.setHeader("Allow", "GET, HEAD");
        fail(resp, new Failure(405, "INVALID_REQUEST", IssueType.NOTSUPPORTED, "only GET is allowed on " + PATH + path));
        return;
      }
      switch (path) {
        case "/checkpoint" -> send(resp, "text/plain; charset=utf-8", ledger.latestCheckpoint());
        case "/proof/inclusion" ->
            send(resp, "application/json", GSON.toJson(ledger.inclusion(number(req, "index"), number(req, "size"))));
        default ->
            send(resp, "application/json", GSON.toJson(ledger.consistency(number(req, "from"), number(req, "to"))));
      }
    } catch (WardException e) {
      fail(resp, Failure.of(e, false));
    } catch (RuntimeException e) {
      LOG.warn("ledger request failed: exception={}", e.getClass().getName());
      fail(resp, Failure.internal());
    }
  }

  private static long number(HttpServletRequest req, String name) {
    String[] values = req.getParameterValues(name);
    if (values == null || values.length != 1 || values[0].isBlank()) {
      throw new WardException.InvalidRequest("give exactly one '" + name + "' parameter, a whole number");
    }
    try {
      return Long.parseLong(values[0].strip());
    } catch (NumberFormatException e) {
      throw new WardException.InvalidRequest("'" + name + "' must be a whole number, was '" + clip(values[0]) + "'");
    }
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  private static void send(HttpServletResponse resp, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    resp.setStatus(200);
    resp.setContentType(type);
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }

  private void fail(HttpServletResponse resp, Failure f) throws IOException {
    f.write(ctx, resp, false);
  }
}
