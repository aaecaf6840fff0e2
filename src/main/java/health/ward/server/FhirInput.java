package health.ward.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import health.ward.common.WardException;
import java.io.ByteArrayInputStream;
import java.util.Locale;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Resource;

/**
 * Checks and parses what a client sends: logical ids, version ids, {@code If-Match} and resource
 * bodies. Every rejection is a {@link WardException.InvalidRequest} or
 * {@link WardException.InvalidResource}, never a parser exception.
 */
final class FhirInput {
  /** FHIR R4 id datatype. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
  private static final Pattern ETAG = Pattern.compile("(?:W/)?\"?([0-9]{1,18})\"?");

  private final FhirContext ctx;
  // Not logging: the lenient handler would otherwise log invalid values, which may be PHI.
  private final LenientErrorHandler quietErrors = new LenientErrorHandler(false);

  FhirInput(FhirContext ctx) {
    this.ctx = ctx;
  }

  static String logicalId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new WardException.InvalidRequest("Invalid resource id: must match [A-Za-z0-9\\-.]{1,64}");
    }
    return id;
  }

  static long version(String v) {
    try {
      long n = Long.parseLong(v);
      if (n >= 1) return n;
    } catch (NumberFormatException e) {
      // fall through to the client error
    }
    throw new WardException.InvalidRequest("Invalid version id: must be a positive integer");
  }

  /** The version named by {@code If-Match: W/"n"} (or {@code "n"}), or null without the header. */
  static Long ifMatch(String header) {
    if (header == null) return null;
    var m = ETAG.matcher(header.strip());
    if (!m.matches()) throw new WardException.InvalidRequest("If-Match must be a version ETag such as W/\"3\"");
    return version(m.group(1));
  }

  /** Parses a body as the resource class of its URL; a body of another type is rejected. */
  <T extends IBaseResource> T parse(byte[] body, String contentType, Class<T> type, String typeName) {
    if (body == null || body.length == 0) throw new WardException.InvalidResource("Request body is empty");
    boolean xml = contentType != null && contentType.toLowerCase(Locale.ROOT).contains("xml");
    IParser p = xml ? ctx.newXmlParser() : ctx.newJsonParser();
    p.setParserErrorHandler(quietErrors);
    try {
      return p.parseResource(type, new ByteArrayInputStream(body));
    } catch (DataFormatException e) {
      // The message describes the client's own body; it goes back to the client, never to a log.
      throw new WardException.InvalidResource(
          "Body is not a valid " + typeName + " resource: " + Failure.withoutHapiCode(e.getMessage(), "parse error"), e);
    } catch (RuntimeException e) {
      throw new WardException.InvalidResource("Body is not a valid " + typeName + " resource", e);
    }
  }

  /** Gives a stored resource an id that names its version, so HAPI can emit ETag and Location. */
  static Resource withVersionedId(Resource r, String type) {
    if (r == null) return null;
    var id = r.getIdElement();
    if (!id.hasVersionIdPart() && r.hasMeta() && r.getMeta().hasVersionId() && id.hasIdPart()) {
      r.setIdElement(new org.hl7.fhir.r4.model.IdType(type, id.getIdPart(), r.getMeta().getVersionId()));
    }
    return r;
  }
}
