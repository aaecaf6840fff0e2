package health.ward.records;

import health.ward.access.Principal;
import health.ward.common.WardException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Who is asking, from where and why, as the HTTP layer (or a local command) saw it.
 *
 * @param address client address, or {@code null} for local commands
 * @param userAgent client software, or {@code null}
 * @param session the session or credential the request came with (e.g. "token:42"), or {@code null}
 * @param purposeOfUse the declared HL7 v3 PurposeOfUse code, one of {@link #PURPOSES}
 * @param emergencyReason the reason a clinician gave to break the glass with this request
 *     (header {@code X-Break-Glass}), or {@code null}
 */
public record RequestContext(
    Principal principal, String address, String userAgent, String session, String purposeOfUse, String emergencyReason) {
  /**
   * The purposes a request may declare (HL7 v3 ActReason, PurposeOfUse: the codes of the FHIR R4
   * value set v3-PurposeOfUse that a clinical record server meets).
   */
  public static final Set<String> PURPOSES =
      Set.of(
          "TREAT", "ETREAT", "HPAYMT", "HOPERAT", "HSYSADMIN", "HRESCH", "PUBHLTH", "HMARKT", "HLEGAL",
          "HACCRED", "HQUALIMP", "COC", "CAREMGT", "PATRQT", "FAMRQT", "PWATRNY", "SUPNWK", "SYSDEV",
          "TRAIN", "COVERAGE", "CLMATTCH", "FRAUD", "LEGAL", "BTG");

  public RequestContext {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(purposeOfUse, "purposeOfUse");
    if (!PURPOSES.contains(purposeOfUse)) throw new IllegalArgumentException("unknown purpose of use " + purposeOfUse);
  }

  public RequestContext(Principal principal, String address, String userAgent, String session, String purposeOfUse) {
    this(principal, address, userAgent, session, purposeOfUse, null);
  }

  /** A request over HTTP with a token; the purpose is TREAT until the client declares another. */
  public RequestContext(Principal principal, String address, String userAgent) {
    this(principal, address, userAgent, principal.session() != null ? principal.session() : "token:" + principal.id(), "TREAT");
  }

  /** A local command run by the operator: purpose HOPERAT (health care operations). */
  public static RequestContext local(Principal principal) {
    return new RequestContext(principal, null, null, null, "HOPERAT");
  }

  /**
   * The purpose a client declared (header {@code X-Purpose-Of-Use}); {@code null} or blank means
   * TREAT. Throws {@link WardException.InvalidRequest} listing the accepted codes otherwise.
   */
  public static String purpose(String declared) {
    if (declared == null || declared.isBlank()) return "TREAT";
    String code = declared.strip().toUpperCase(Locale.ROOT);
    if (!PURPOSES.contains(code)) {
      throw new WardException.InvalidRequest(
          "X-Purpose-Of-Use '" + (declared.length() > 20 ? declared.substring(0, 20) + "…" : declared)
              + "' is not a supported HL7 v3 PurposeOfUse code (e.g. TREAT, ETREAT, HOPERAT, PUBHLTH, HRESCH, PATRQT)");
    }
    return code;
  }

  /** The same request declaring {@code purposeOfUse}. */
  public RequestContext withPurpose(String purposeOfUse) {
    return new RequestContext(principal, address, userAgent, session, purposeOfUse, emergencyReason);
  }

  /** The same request, from the session {@code session} (e.g. "session:42"). */
  public RequestContext withSession(String session) {
    return new RequestContext(principal, address, userAgent, session, purposeOfUse, emergencyReason);
  }

  /** The same request breaking the glass for {@code reason} (checked by {@link #emergencyReason(String)}). */
  public RequestContext withEmergency(String reason) {
    return new RequestContext(principal, address, userAgent, session, purposeOfUse, emergencyReason(reason));
  }

  /**
   * A break-the-glass reason as given: 10 to 500 characters after trimming, no control characters.
   * Throws {@link WardException.InvalidRequest} otherwise; {@code null} stays {@code null}.
   */
  public static String emergencyReason(String reason) {
    if (reason == null) return null;
    String r = reason.strip();
    if (r.length() < 10 || r.length() > 500 || r.chars().anyMatch(Character::isISOControl)) {
      throw new WardException.InvalidRequest(
          "a break-the-glass reason is 10 to 500 characters of text saying what the emergency is");
    }
    return r;
  }
}
