package health.ward.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes: Argon2id (RFC 9106, Bouncy Castle) in the PHC string format
 * {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt b64>$<hash b64>} (unpadded standard
 * base64), as libargon2 and other tools write them, so hashes can be checked or migrated elsewhere.
 *
 * <p>Guarantee: a stored hash costs one full Argon2id evaluation per guess; {@link #verify}
 * compares in constant time and takes as long for a malformed or unknown hash as for a real one
 * (it then checks against a fixed dummy hash). Passwords are never kept: callers' arrays are not
 * retained.
 */
public final class PasswordHash {
  private static final Pattern PHC =
      Pattern.compile("\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{22,88})\\$([A-Za-z0-9+/]{43,88})");
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  private static final int HASH_BYTES = 32;
  private static final String DUMMY = hash("not a password".toCharArray(), new byte[16],
      Argon2idParameters.DEFAULT_MEMORY_KIB, Argon2idParameters.DEFAULT_ITERATIONS, Argon2idParameters.DEFAULT_PARALLELISM);

  private PasswordHash() {}

  /** Hashes {@code password} with the default costs and a fresh salt. */
  public static String hash(char[] password, SecureRandom random) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return hash(password, salt, Argon2idParameters.DEFAULT_MEMORY_KIB, Argon2idParameters.DEFAULT_ITERATIONS,
        Argon2idParameters.DEFAULT_PARALLELISM);
  }

  static String hash(char[] password, byte[] salt, int memoryKiB, int iterations, int parallelism) {
    Argon2idParameters params = new Argon2idParameters(memoryKiB, iterations, parallelism, salt);
    byte[] out = derive(password, params, HASH_BYTES);
    try {
      return "$argon2id$v=19$m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + "$" + B64.encodeToString(salt)
          + "$" + B64.encodeToString(out);
    } finally {
      Arrays.fill(out, (byte) 0);
    }
  }

  /**
   * True if {@code password} matches {@code stored}. A {@code null} or malformed {@code stored}
   * (an unknown user, say) is checked against a dummy hash, taking as long, and is false.
   */
  public static boolean verify(char[] password, String stored) {
    Objects.requireNonNull(password, "password");
    boolean real = stored != null;
    Matcher m = PHC.matcher(real ? stored : DUMMY);
    if (!m.matches()) {
      real = false;
      m = PHC.matcher(DUMMY);
      m.matches();
    }
    Argon2idParameters params;
    byte[] expected;
    try {
      params = new Argon2idParameters(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)), B64D.decode(m.group(4)));
      expected = B64D.decode(m.group(5));
    } catch (IllegalArgumentException e) {
      return verify(password, null);
    }
    byte[] actual = derive(password, params, expected.length);
    try {
      return MessageDigest.isEqual(actual, expected) && real;
    } finally {
      Arrays.fill(actual, (byte) 0);
    }
  }

  /** True if {@code stored} was made with weaker costs than today's defaults (rehash on next sign-in). */
  public static boolean needsRehash(String stored) {
    Matcher m = PHC.matcher(stored == null ? "" : stored);
    return !m.matches()
        || Integer.parseInt(m.group(1)) < Argon2idParameters.DEFAULT_MEMORY_KIB
        || Integer.parseInt(m.group(2)) < Argon2idParameters.DEFAULT_ITERATIONS;
  }

  /** One Argon2id evaluation (version 1.3) of {@code password} into {@code length} bytes. */
  static byte[] derive(char[] password, Argon2idParameters params, int length) {
    Argon2Parameters.Builder bp =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(params.memoryKiB())
            .withIterations(params.iterations())
            .withParallelism(params.parallelism())
            .withSalt(params.salt());
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(bp.build());
    byte[] out = new byte[length];
    generator.generateBytes(password, out);
    bp.clear();
    return out;
  }
}
