package health.ward.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashChainTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void leafHash_ofEmptyEntry_isTheRfc6962Vector() {
    // SHA-256(0x00): the empty-leaf hash listed by RFC 6962 / RFC 9162 test vectors.
    assertEquals(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        HEX.formatHex(HashChain.leafHash(new byte[0])));
  }

  @Test
  void start_isThirtyTwoZeroBytes_andAFreshCopy() {
    assertArrayEquals(new byte[32], HashChain.start());
    HashChain.start()[0] = 1;
    assertArrayEquals(new byte[32], HashChain.start());
  }

  @Test
  void chain_matchesANaiveReference() throws Exception {
    Random random = new Random(9162);
    byte[] chain = HashChain.start();
    byte[] reference = new byte[32];
    for (int i = 0; i < 200; i++) {
      byte[] entry = new byte[random.nextInt(300)];
      random.nextBytes(entry);
      chain = HashChain.next(chain, HashChain.leafHash(entry));
      reference = sha256(concat(new byte[] {1}, reference, sha256(concat(new byte[] {0}, entry))));
      assertArrayEquals(reference, chain, "at " + i);
    }
  }

  @Test
  void next_rejectsWrongLengths() {
    assertThrows(IllegalArgumentException.class, () -> HashChain.next(new byte[31], new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> HashChain.next(new byte[32], new byte[33]));
  }

  static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
