package health.ward.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class NoteVerifierKeyTest {
  // golang.org/x/mod/sumdb/note note_test.go: https://github.com/golang/mod/blob/master/sumdb/note/note_test.go
  static final String PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

  @Test
  void parse_publishedKey_roundTrips() {
    NoteVerifierKey key = NoteVerifierKey.parse(PETER);
    assertEquals("PeterNeumann", key.name());
    assertEquals(0xc74f20a3, key.keyId());
    assertEquals(PETER, key.encode());
  }

  @Test
  void verify_ownSignature_succeeds_andAlteredMessage_fails() {
    Ed25519SigningKey signing = Ed25519SigningKey.generate(new SecureRandom());
    NoteVerifierKey key = NoteVerifierKey.of("n", signing);
    byte[] message = "hello\n".getBytes(StandardCharsets.UTF_8);
    byte[] signature = signing.sign(message);
    assertEquals(64, signature.length);
    assertTrue(key.verify(signature, message));
    assertFalse(key.verify(signature, "hellO\n".getBytes(StandardCharsets.UTF_8)));
    assertFalse(key.verify(new byte[63], message));
  }

  @Test
  void signingKey_fromSecretSeed_isTheSameKey() throws Exception {
    Ed25519SigningKey a = Ed25519SigningKey.generate(new SecureRandom());
    Ed25519SigningKey b = Ed25519SigningKey.fromSecretSeed(a.toSecretSeed());
    assertEquals(NoteVerifierKey.of("n", a), NoteVerifierKey.of("n", b));
    assertThrows(java.security.GeneralSecurityException.class, () -> Ed25519SigningKey.fromSecretSeed(new byte[31]));
    assertFalse(a.toString().contains(java.util.HexFormat.of().formatHex(a.toSecretSeed())));
  }

  @Test
  void isValidKeyName_refusesSpacesPlusAndControls() {
    assertTrue(NoteVerifierKey.isValidKeyName("example.com/log\uD83D\uDE00"));
    for (String bad : new String[] {"", "a b", "a+b", "a\tb", "a\u00a0b", "a\u3000b", "a\ud800"}) {
      assertFalse(NoteVerifierKey.isValidKeyName(bad), bad);
    }
  }
}
