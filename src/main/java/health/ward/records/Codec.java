package health.ward.records;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import health.ward.common.WardException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.Resource;

/** FHIR R4 JSON encoding of stored resources, through HAPI FHIR's parser. */
final class Codec {
  private static final FhirContext CONTEXT = FhirContext.forR4Cached();

  static {
    // Store references exactly as written (versioned references keep their version), and skip
    // HAPI's walk for reference targets to auto-contain on every encode: Ward never relies on it.
    CONTEXT.getParserOptions().setStripVersionsFromReferences(false);
    CONTEXT.getParserOptions().setAutoContainReferenceTargetsWithNoId(false);
  }

  private Codec() {}

  static FhirContext context() {
    return CONTEXT;
  }

  /** Compact JSON bytes of a resource: the form that is sealed and stored. */
  static byte[] encode(Resource r) {
    return CONTEXT.newJsonParser().encodeResourceToString(r).getBytes(StandardCharsets.UTF_8);
  }

  /** Parses stored JSON; a failure here means the stored record is not what Ward wrote. */
  static Resource decodeStored(byte[] json, String where) {
    try {
      return (Resource) CONTEXT.newJsonParser().parseResource(new String(json, StandardCharsets.UTF_8));
    } catch (DataFormatException | ClassCastException e) {
      throw new WardException.IntegrityFailure("stored record " + where + " is not a FHIR resource");
    }
  }
}
