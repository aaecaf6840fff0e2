package health.ward.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class Argon2idKeyTest {
  static final byte[] SALT = new byte[16];

  static Argon2idParameters params(byte[] salt) {
    return new Argon2idParameters(1024, 1, 1, salt);
  }

  @Test
  void derive_samePassphraseAndParameters_givesTheSameKey() throws Exception {
    AesGcmKeyset k = AesGcmKeyset.generate();
    String enc = k.toEncryptedJson(Argon2idKey.derive("correct horse".toCharArray(), params(SALT)), new byte[] {9});
    AesGcmKeyset back =
        AesGcmKeyset.fromEncryptedJson(enc, Argon2idKey.derive("correct horse".toCharArray(), params(SALT)), new byte[] {9});
    assertEquals(k.primaryKeyId(), back.primaryKeyId());
  }

  @Test
  void derive_otherPassphraseOrSalt_doesNotOpen() {
    AesGcmKeyset k = AesGcmKeyset.generate();
    String enc = k.toEncryptedJson(Argon2idKey.derive("correct horse".toCharArray(), params(SALT)), new byte[0]);
    assertThrows(GeneralSecurityException.class, () -> AesGcmKeyset.fromEncryptedJson(
        enc, Argon2idKey.derive("correct horsf".toCharArray(), params(SALT)), new byte[0]));
    byte[] otherSalt = SALT.clone();
    otherSalt[0] = 1;
    assertThrows(GeneralSecurityException.class, () -> AesGcmKeyset.fromEncryptedJson(
        enc, Argon2idKey.derive("correct horse".toCharArray(), params(otherSalt)), new byte[0]));
  }

  @Test
  void parameters_outOfRange_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Argon2idParameters(1024, 1, 1, new byte[8]));
    assertThrows(IllegalArgumentException.class, () -> new Argon2idParameters(4, 1, 1, SALT));
    assertThrows(IllegalArgumentException.class, () -> new Argon2idParameters(1024, 0, 1, SALT));
  }

  @Test
  void withFreshSalt_usesTheDefaultCosts_andCopiesTheSalt() {
    Argon2idParameters p = Argon2idParameters.withFreshSalt(new SecureRandom());
    assertEquals(19 * 1024, p.memoryKiB());
    assertEquals(2, p.iterations());
    byte[] s = p.salt();
    s[0] ^= 1;
    assertArrayEquals(p.salt(), p.salt());
    assertEquals(p, new Argon2idParameters(p.memoryKiB(), p.iterations(), p.parallelism(), p.salt()));
  }
}
