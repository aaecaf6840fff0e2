package health.ward.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHashTest {
  final SecureRandom random = new SecureRandom();

  @Test
  void hash_isArgon2idPhc_andVerifiesOnlyThePassword() {
    String h = PasswordHash.hash("correct horse battery staple".toCharArray(), random);
    assertTrue(h.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), h);
    assertTrue(PasswordHash.verify("correct horse battery staple".toCharArray(), h));
    assertFalse(PasswordHash.verify("correct horse battery stapl".toCharArray(), h));
    assertFalse(PasswordHash.verify("".toCharArray(), h));
    assertNotEquals(h, PasswordHash.hash("correct horse battery staple".toCharArray(), random), "a fresh salt each time");
    assertFalse(PasswordHash.needsRehash(h));
  }

  @Test
  void verify_matchesLibargon2sEncoding() {
    // Debian's argon2 CLI (libargon2): echo -n password | argon2 somesaltsomesalt -id -t 2 -m 10 -p 1 -l 32 -e
    String reference = "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CKGe5/bX9YnCq2rxjW5yQXKxn31v1GKzhDCrMc6r6vA";
    assertEquals(reference, PasswordHash.hash("password".toCharArray(), "somesaltsomesalt".getBytes(), 1024, 2, 1));
    assertTrue(PasswordHash.verify("password".toCharArray(), reference));
    assertFalse(PasswordHash.verify("passwore".toCharArray(), reference));
    assertTrue(PasswordHash.needsRehash(reference), "weaker than today's costs");
  }

  @Test
  void unknownOrMalformedHashes_neverVerify() {
    assertFalse(PasswordHash.verify("anything".toCharArray(), null));
    assertFalse(PasswordHash.verify("anything".toCharArray(), "$2a$10$bcrypt.hash.here"));
    assertFalse(PasswordHash.verify("not a password".toCharArray(), "garbage"), "not even the dummy's own password");
  }
}
