package health.ward.watch;

import health.ward.vault.RecordVault;
import java.util.Locale;

/**
 * The blind tokens person markers are stored by (written by the records service with each Patient
 * and Practitioner, compared here): one HMAC domain per kind of marker, so a surname token never
 * equals an address token.
 */
public final class MarkerTokens {
  private static final String TYPE = "PersonMarker";

  private MarkerTokens() {}

  /** The token of a normalised value of one kind ({@code surname}, {@code address}, {@code person}). */
  public static byte[] of(RecordVault vault, String kind, String normalised) {
    return vault.token(TYPE, kind, normalised);
  }

  /** The token of a security label code (e.g. {@code CEL}), case-insensitive. */
  public static byte[] label(RecordVault vault, String code) {
    return vault.token(TYPE, "label", code.toUpperCase(Locale.ROOT));
  }
}
