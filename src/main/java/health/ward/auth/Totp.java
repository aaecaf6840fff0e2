package health.ward.auth;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps, 6
 * digits, the parameters every authenticator app supports. {@code javax.crypto} because Tink has
 * no HOTP primitive. A code is accepted for the current step and one step either side (clock
 * drift); the caller stores the accepted step and passes it back, so a code is never accepted twice.
 */
final class Totp {
  static final int STEP_SECONDS = 30;
  static final int DIGITS = 6;
  static final int SECRET_BYTES = 20;
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Totp() {}

  /** The code for time step {@code step} (RFC 4226 dynamic truncation). */
  static String code(byte[] secret, long step) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
      int offset = h[h.length - 1] & 0x0f;
      int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8) | (h[offset + 3] & 0xff);
      return String.format(Locale.ROOT, "%0" + DIGITS + "d", binary % 1_000_000);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is required of every JDK", e);
    }
  }

  static long step(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), STEP_SECONDS);
  }

  /**
   * The step {@code presented} is valid for at {@code now} (within one step of drift) and later than
   * {@code lastAccepted}; empty if none. Every candidate is compared, in constant time.
   */
  static OptionalLong verify(byte[] secret, String presented, Instant now, long lastAccepted) {
    if (presented == null) return OptionalLong.empty();
    String p = presented.strip().replace(" ", "");
    if (p.length() != DIGITS || !p.chars().allMatch(Character::isDigit)) return OptionalLong.empty();
    long current = step(now);
    long found = Long.MIN_VALUE;
    for (long s = current - 1; s <= current + 1; s++) {
      boolean match = MessageDigest.isEqual(code(secret, s).getBytes(), p.getBytes());
      if (match && s > lastAccepted && found == Long.MIN_VALUE) found = s;
    }
    return found == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
  }

  /** RFC 4648 base32 without padding, as authenticator apps take secrets. */
  static String base32(byte[] data) {
    StringBuilder out = new StringBuilder();
    int buffer = 0, bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
    return out.toString();
  }

  /** The otpauth URI an authenticator app scans (Google Authenticator's key URI format). */
  static String uri(String issuer, String account, byte[] secret) {
    String label = encode(issuer) + ":" + encode(account);
    return "otpauth://totp/" + label + "?secret=" + base32(secret) + "&issuer=" + encode(issuer)
        + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP_SECONDS;
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
