package health.ward.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.crypto.Ed25519SigningKey;
import health.ward.ledger.CheckpointRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CheckpointVerifierTest {
  // Published signed-note vectors of golang.org/x/mod/sumdb/note, note_test.go (TestSign, TestOpen):
  // https://github.com/golang/mod/blob/master/sumdb/note/note_test.go
  static final String PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  static final String ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
  static final String PETER_TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  static final String PETER_SIG =
      "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  static final String ENOCH_SIG =
      "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

  // The example of the C2SP signed-note specification: https://github.com/C2SP/C2SP/blob/main/signed-note.md
  static final String C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
  static final String C2SP_NOTE =
      "This is an example message.\n\n"
          + "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

  static final CheckpointVerifier PETER = CheckpointVerifier.fromVerifierKey(PETER_VKEY);

  static Ed25519SigningKey peterKey() throws Exception {
    byte[] skey = Base64.getDecoder().decode(PETER_SKEY.split("\\+", 5)[4]);
    assertEquals(1, skey[0], "Ed25519");
    return Ed25519SigningKey.fromSecretSeed(Arrays.copyOfRange(skey, 1, skey.length));
  }

  static final CheckpointSigner SIGNER =
      new CheckpointSigner("ward.example/log", Ed25519SigningKey.generate(new SecureRandom()));
  static final Checkpoint CHECKPOINT = new Checkpoint("ward.example/log", 8, Rfc6962Vectors.root(8));

  static void assertRejected(Reason reason, Executable verify) {
    assertRejected(reason, verify, "");
  }

  static void assertRejected(Reason reason, Executable verify, String what) {
    CheckpointRejectedException e = assertThrows(CheckpointRejectedException.class, verify, what);
    assertEquals(reason, e.reason(), e.getMessage());
  }

  @Test
  void verifyNote_goSumdbVector_returnsTheText() throws Exception {
    assertEquals(PETER_TEXT, PETER.verifyNote(PETER_TEXT + "\n" + PETER_SIG));
  }

  @Test
  void verifyNote_c2spExample_returnsTheText() throws Exception {
    assertEquals(
        "This is an example message.\n",
        CheckpointVerifier.fromVerifierKey(C2SP_VKEY).verifyNote(C2SP_NOTE));
  }

  @Test
  void verifyNote_otherSignersLines_areIgnored() throws Exception {
    String note = PETER_TEXT + "\n" + PETER_SIG + ENOCH_SIG;
    assertEquals(PETER_TEXT, PETER.verifyNote(note));
    assertEquals(PETER_TEXT, CheckpointVerifier.fromVerifierKey(ENOCH_VKEY).verifyNote(note));
    assertEquals(PETER_TEXT, PETER.verifyNote(PETER_TEXT + "\n" + ENOCH_SIG + PETER_SIG));
  }

  @Test
  void signNote_goSumdbKey_givesThePublishedNote() throws Exception {
    CheckpointSigner signer = new CheckpointSigner("PeterNeumann", peterKey());
    assertEquals(PETER_VKEY, signer.verifierKey());
    assertEquals(PETER_TEXT + "\n" + PETER_SIG, signer.signNote(PETER_TEXT));
  }

  @Test
  void verify_signedCheckpoint_roundTrips() throws Exception {
    String note = SIGNER.sign(CHECKPOINT);
    assertTrue(note.startsWith(CHECKPOINT.body() + "\n\u2014 ward.example/log "), note);
    assertEquals(CHECKPOINT, CheckpointVerifier.fromVerifierKey(SIGNER.verifierKey()).verify(note));
    assertEquals(CHECKPOINT, SIGNER.verifier().verify(note.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void verify_flippedSignatureByte_failsWithBadSignature() {
    String note = SIGNER.sign(CHECKPOINT);
    int at = note.lastIndexOf(' ') + 1;
    String sig = note.substring(at, note.length() - 1);
    byte[] raw = Base64.getDecoder().decode(sig);
    raw[10] ^= 1;
    String flipped = note.substring(0, at) + Base64.getEncoder().encodeToString(raw) + "\n";
    assertRejected(Reason.BAD_SIGNATURE, () -> SIGNER.verifier().verify(flipped));
  }

  @Test
  void verify_changedBody_failsWithBadSignature() {
    String note = SIGNER.sign(CHECKPOINT).replaceFirst("\n8\n", "\n9\n");
    assertRejected(Reason.BAD_SIGNATURE, () -> SIGNER.verifier().verify(note));
  }

  @Test
  void verify_wrongKey_failsWithUnknownKey() {
    CheckpointSigner other =
        new CheckpointSigner("ward.example/log", Ed25519SigningKey.generate(new SecureRandom()));
    CheckpointRejectedException e =
        assertThrows(CheckpointRejectedException.class, () -> other.verifier().verify(SIGNER.sign(CHECKPOINT)));
    assertEquals(Reason.UNKNOWN_KEY, e.reason());
    assertTrue(e.getMessage().startsWith("the note has no signature by ward.example/log+"), e.getMessage());
  }

  @Test
  void verify_unknownSignerOnly_failsWithUnknownKey() {
    assertRejected(Reason.UNKNOWN_KEY, () -> PETER.verifyNote(PETER_TEXT + "\n" + ENOCH_SIG));
  }

  @Test
  void verify_missingSignatureLine_failsAsMalformed() {
    assertRejected(Reason.MALFORMED_NOTE, () -> PETER.verifyNote(PETER_TEXT));
    assertRejected(Reason.MALFORMED_NOTE, () -> PETER.verifyNote(PETER_TEXT + "\n"));
    assertRejected(Reason.MALFORMED_NOTE, () -> PETER.verifyNote(CHECKPOINT.body()));
    String note = PETER_TEXT + "\n" + PETER_SIG;
    assertRejected(Reason.MALFORMED_NOTE, () -> PETER.verifyNote(note.substring(0, note.length() - 1)));
  }

  @Test
  void verify_malformedSignatureLines_failAsMalformed() {
    for (String sigs :
        new String[] {
          PETER_SIG.replace("\u2014", "-"),
          PETER_SIG.replace("PeterNeumann ", "PeterNeumann"),
          PETER_SIG.replace("x08go", "x08g!"),
          PETER_SIG.replace("JnAM=", "JnAM"),
          "\u2014 PeterNeumann AAAA\n",
          "\u2014 Peter+Neumann " + PETER_SIG.substring(PETER_SIG.indexOf(' ', 2) + 1),
          PETER_SIG + "trailing\n",
          PETER_SIG + "\n",
        }) {
      assertRejected(Reason.MALFORMED_NOTE, () -> PETER.verifyNote(PETER_TEXT + "\n" + sigs), sigs);
    }
  }

  @Test
  void verify_controlCharactersOrBadUtf8_failAsMalformed() {
    assertRejected(Reason.MALFORMED_NOTE, () -> PETER.verifyNote("a\rb\n\n" + PETER_SIG));
    assertRejected(Reason.MALFORMED_NOTE, () -> PETER.verifyNote("a\ud800b\n\n" + PETER_SIG));
    byte[] bytes = SIGNER.sign(CHECKPOINT).getBytes(StandardCharsets.UTF_8);
    bytes[3] = (byte) 0xff;
    assertRejected(Reason.MALFORMED_NOTE, () -> SIGNER.verifier().verify(bytes));
  }

  @Test
  void verify_tooManySignatures_failsAsMalformed() {
    assertRejected(Reason.MALFORMED_NOTE, () -> PETER.verifyNote(PETER_TEXT + "\n" + PETER_SIG.repeat(101)));
  }

  @Test
  void verify_bodySizeNotANumber_failsAsMalformedCheckpoint() {
    String note = SIGNER.signNote("ward.example/log\neight\n" + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    assertRejected(Reason.MALFORMED_CHECKPOINT, () -> SIGNER.verifier().verify(note));
  }

  @Test
  void verify_signedTextThatIsNoCheckpoint_failsAsMalformedCheckpoint() {
    assertRejected(Reason.MALFORMED_CHECKPOINT, () -> PETER.verify(PETER_TEXT + "\n" + PETER_SIG));
  }

  @Test
  void fromVerifierKey_malformed_throwsSayingWhy() {
    for (String vkey :
        new String[] {
          "",
          "PeterNeumann",
          "PeterNeumann+c74f20a3",
          "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // id mismatch
          "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
          "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T!",
          // From note_test.go: wrong length key, and unknown algorithm, each with adjusted key id.
          "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
          "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
          "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        }) {
      assertThrows(IllegalArgumentException.class, () -> CheckpointVerifier.fromVerifierKey(vkey), vkey);
    }
  }

  @Test
  void verifierKey_goSumdbKey_roundTrips() {
    assertEquals(PETER_VKEY, PETER.key().encode());
    assertEquals(0xc74f20a3, PETER.key().keyId());
  }
}
