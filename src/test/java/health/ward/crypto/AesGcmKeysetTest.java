package health.ward.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;

class AesGcmKeysetTest {
  static final byte[] AD = "row-1".getBytes(StandardCharsets.UTF_8);
  static final byte[] PLAIN = "{\"resourceType\":\"Patient\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void decrypt_ofEncrypt_returnsPlaintext() throws Exception {
    AesGcmKeyset k = AesGcmKeyset.generate();
    assertArrayEquals(PLAIN, k.decrypt(k.encrypt(PLAIN, AD), AD));
  }

  @Test
  void ciphertext_startsWithTinkPrefixNamingThePrimaryKey() {
    AesGcmKeyset k = AesGcmKeyset.generate();
    byte[] c = k.encrypt(PLAIN, AD);
    assertEquals(0x01, c[0]);
    assertEquals(k.primaryKeyId(), ByteBuffer.wrap(c, 1, 4).getInt());
    assertEquals(5 + 12 + PLAIN.length + 16, c.length);
  }

  @Test
  void decrypt_afterAnySingleByteFlip_fails() {
    AesGcmKeyset k = AesGcmKeyset.generate();
    byte[] c = k.encrypt(PLAIN, AD);
    for (int i = 0; i < c.length; i++) {
      byte[] bad = c.clone();
      bad[i] ^= 0x01;
      assertThrows(GeneralSecurityException.class, () -> k.decrypt(bad, AD), "byte " + i);
    }
  }

  @Test
  void decrypt_withOtherAssociatedData_fails() {
    AesGcmKeyset k = AesGcmKeyset.generate();
    byte[] c = k.encrypt(PLAIN, AD);
    assertThrows(GeneralSecurityException.class, () -> k.decrypt(c, "row-2".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void decrypt_withOtherKeyset_fails() {
    byte[] c = AesGcmKeyset.generate().encrypt(PLAIN, AD);
    assertThrows(GeneralSecurityException.class, () -> AesGcmKeyset.generate().decrypt(c, AD));
  }

  @Test
  void fromSecretBytes_ofToSecretBytes_decryptsTheSame() throws Exception {
    AesGcmKeyset k = AesGcmKeyset.generate();
    AesGcmKeyset copy = AesGcmKeyset.fromSecretBytes(k.toSecretBytes());
    assertArrayEquals(PLAIN, copy.decrypt(k.encrypt(PLAIN, AD), AD));
    assertEquals(k.primaryKeyId(), copy.primaryKeyId());
  }

  @Test
  void fromSecretBytes_ofPrfKeyset_fails() {
    byte[] prf = HmacPrfKeyset.generate().toSecretBytes();
    assertThrows(GeneralSecurityException.class, () -> AesGcmKeyset.fromSecretBytes(prf));
  }

  @Test
  void withNewPrimary_stillDecryptsOld_andWithOnlyPrimaryNoLonger() throws Exception {
    AesGcmKeyset old = AesGcmKeyset.generate();
    byte[] c = old.encrypt(PLAIN, AD);
    AesGcmKeyset both = old.withNewPrimary();
    assertEquals(2, both.size());
    assertFalse(both.primaryKeyId() == old.primaryKeyId());
    assertArrayEquals(PLAIN, both.decrypt(c, AD));
    AesGcmKeyset onlyNew = both.withOnlyPrimary();
    assertEquals(1, onlyNew.size());
    assertEquals(both.primaryKeyId(), onlyNew.primaryKeyId());
    assertThrows(GeneralSecurityException.class, () -> onlyNew.decrypt(c, AD));
    assertArrayEquals(PLAIN, onlyNew.decrypt(both.encrypt(PLAIN, AD), AD));
  }

  @Test
  void toString_showsNoKeyMaterial() {
    AesGcmKeyset k = AesGcmKeyset.generate();
    assertFalse(k.toString().contains(k.toSecretJson()));
    assertFalse(k.toString().contains("keyValue"));
  }
}
