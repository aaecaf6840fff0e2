package health.ward.records;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Logical ids: validation against the FHIR id rule, and generation of new random ids. */
final class Ids {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
  private static final Pattern TYPE = Pattern.compile("[A-Z][A-Za-z]{1,63}");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final SecureRandom random;

  Ids(SecureRandom random) {
    this.random = random;
  }

  static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  static boolean isValidType(String type) {
    return type != null && TYPE.matcher(type).matches();
  }

  /** A new random id, UUID-shaped (122 random bits, version 4 layout). */
  /** A uniformly random number in [0, bound), for synthetic content. */
  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  String next() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    StringBuilder s = new StringBuilder(36);
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) s.append('-');
      s.append(HEX[(b[i] >> 4) & 0xf]).append(HEX[b[i] & 0xf]);
    }
    return s.toString();
  }
}
