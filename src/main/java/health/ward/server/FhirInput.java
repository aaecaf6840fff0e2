package health.ward.server;

import health.ward.common.WardException;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Resource;

/**
 * Checks what a client puts in the URL and headers: logical ids, version ids and
 * {@code If-Match}. Every rejection is a {@link WardException.InvalidRequest}. (Bodies are parsed
 * by HAPI against the provider's resource type; see {@link FhirServer} for the parser settings.)
 */
final class FhirInput {
  /** FHIR R4 id datatype. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
  private static final Pattern ETAG = Pattern.compile("(?:W/)?\"?([0-9]{1,18})\"?");

  private FhirInput() {}

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
