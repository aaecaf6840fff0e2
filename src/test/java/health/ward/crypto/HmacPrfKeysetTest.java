package health.ward.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.prf.HmacPrfKey;
import com.google.crypto.tink.prf.HmacPrfParameters;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HmacPrfKeysetTest {

  /** RFC 4231 test case 1: key = 0x0b × 20, data = "Hi There". */
  @Test
  void compute_matchesRfc4231TestCase1() throws Exception {
    byte[] key = new byte[20];
    Arrays.fill(key, (byte) 0x0b);
    HmacPrfKey k =
        HmacPrfKey.builder()
            .setParameters(
                HmacPrfParameters.builder()
                    .setKeySizeBytes(20)
                    .setHashType(HmacPrfParameters.HashType.SHA256)
                    .build())
            .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
            .build();
    TinkRuntime.ensure();
    KeysetHandle h =
        KeysetHandle.newBuilder().addEntry(KeysetHandle.importKey(k).withFixedId(7).makePrimary()).build();
    HmacPrfKeyset prf =
        HmacPrfKeyset.fromSecretBytes(TinkProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get()));
    byte[] out = prf.compute("Hi There".getBytes(StandardCharsets.US_ASCII), 32);
    assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", HexFormat.of().formatHex(out));
    assertArrayEquals(Arrays.copyOf(out, 16), prf.compute("Hi There".getBytes(StandardCharsets.US_ASCII), 16));
  }

  @Test
  void compute_isStableAcrossSerialization_andDiffersAcrossKeys() throws Exception {
    HmacPrfKeyset a = HmacPrfKeyset.generate();
    HmacPrfKeyset copy = HmacPrfKeyset.fromSecretBytes(a.toSecretBytes());
    byte[] in = {1, 2, 3};
    assertArrayEquals(a.compute(in, 16), copy.compute(in, 16));
    assertFalse(Arrays.equals(a.compute(in, 16), HmacPrfKeyset.generate().compute(in, 16)));
  }

  @Test
  void compute_withTooShortOutput_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> HmacPrfKeyset.generate().compute(new byte[1], 8));
  }
}
