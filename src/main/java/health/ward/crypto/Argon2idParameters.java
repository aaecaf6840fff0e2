package health.ward.crypto;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Argon2id cost parameters and salt, stored next to what they protect (they are not secret).
 *
 * @param memoryKiB memory cost in KiB, 8·parallelism .. 4 GiB
 * @param iterations time cost, 1..100
 * @param parallelism lanes, 1..16
 * @param salt 16..64 random bytes
 */
public record Argon2idParameters(int memoryKiB, int iterations, int parallelism, byte[] salt) {
  /**
   * OWASP's recommended Argon2id floor (19 MiB, 2 passes, 1 lane): about 50–150 ms on one core, well
   * under the 300 ms start-up budget, and memory-hard enough to slow GPU guessing.
   */
  public static final int DEFAULT_MEMORY_KIB = 19 * 1024, DEFAULT_ITERATIONS = 2, DEFAULT_PARALLELISM = 1;

  public Argon2idParameters {
    Objects.requireNonNull(salt, "salt");
    if (parallelism < 1 || parallelism > 16) {
      throw new IllegalArgumentException("parallelism must be 1..16, was " + parallelism);
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > 4 * 1024 * 1024) {
      throw new IllegalArgumentException("memoryKiB must be 8*parallelism..4 GiB, was " + memoryKiB);
    }
    if (iterations < 1 || iterations > 100) {
      throw new IllegalArgumentException("iterations must be 1..100, was " + iterations);
    }
    if (salt.length < 16 || salt.length > 64) {
      throw new IllegalArgumentException("salt must be 16..64 bytes, was " + salt.length);
    }
    salt = salt.clone();
  }

  /** The default costs with a fresh 16-byte salt. */
  public static Argon2idParameters withFreshSalt(SecureRandom random) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return new Argon2idParameters(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, salt);
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Argon2idParameters p
        && p.memoryKiB == memoryKiB
        && p.iterations == iterations
        && p.parallelism == parallelism
        && java.util.Arrays.equals(p.salt, salt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(memoryKiB, iterations, parallelism, java.util.Arrays.hashCode(salt));
  }

  @Override
  public String toString() {
    return "Argon2id[m=" + memoryKiB + "KiB, t=" + iterations + ", p=" + parallelism + "]";
  }
}
