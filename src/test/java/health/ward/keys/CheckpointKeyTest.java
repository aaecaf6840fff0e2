package health.ward.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import health.ward.crypto.NoteVerifierKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointKeyTest {
  static final String NAME = "ward.example/log";
  static final byte[] MESSAGE = "ward.example/log\n1\n".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;

  Path keys() {
    return tmp.resolve("keys");
  }

  Path file() {
    return keys().resolve("checkpoint-key.json");
  }

  KeyEncryptionKey kek() {
    return KeyEncryptionKey.load(keys(), null);
  }

  CheckpointKey load(KeyEncryptionKey kek) {
    return CheckpointKey.loadOrCreate(keys(), kek, NAME, new SecureRandom());
  }

  static WardException.KeyUnavailable refused(org.junit.jupiter.api.function.Executable load) {
    return assertThrows(WardException.KeyUnavailable.class, load);
  }

  @Test
  void loadOrCreate_firstUse_createsAnOwnerOnlyFile() throws Exception {
    load(kek());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys())));
    try (var files = Files.list(keys())) {
      assertEquals(2, files.count(), "kek.json and checkpoint-key.json, no temporary files");
    }
  }

  @Test
  void loadOrCreate_again_givesTheSameKey() {
    KeyEncryptionKey kek = kek();
    CheckpointKey created = load(kek);
    CheckpointKey loaded = load(KeyEncryptionKey.load(keys(), null));
    assertEquals(created.verifierKey(), loaded.verifierKey());
    assertArrayEquals(created.signingKey().sign(MESSAGE), loaded.signingKey().sign(MESSAGE));
    assertTrue(created.verifierKey().startsWith(NAME + "+"));
  }

  @Test
  void verifierKey_ofDirectory_readsThePublicHalfWithoutTheKek() {
    CheckpointKey key = load(kek());
    String vkey = CheckpointKey.verifierKey(keys());
    assertEquals(key.verifierKey(), vkey);
    NoteVerifierKey parsed = NoteVerifierKey.parse(vkey);
    assertTrue(parsed.verify(key.signingKey().sign(MESSAGE), MESSAGE));
  }

  @Test
  void file_holdsNoPlaintextPrivateKey() throws Exception {
    CheckpointKey key = load(kek());
    String content = Files.readString(file());
    assertTrue(content.contains("\"format\":\"ward-checkpoint-key/1\""), content);
    String seed = java.util.Base64.getEncoder().encodeToString(key.signingKey().toSecretSeed());
    assertFalse(content.contains(seed));
    assertFalse(key.toString().contains(seed));
  }

  @Test
  void loadOrCreate_withAnotherKek_failsWithKeyUnavailable() throws Exception {
    load(kek());
    Path otherKeys = tmp.resolve("other");
    KeyEncryptionKey other = KeyEncryptionKey.load(otherKeys, null);
    Files.copy(file(), otherKeys.resolve("checkpoint-key.json"));
    WardException e =
        refused(() -> CheckpointKey.loadOrCreate(otherKeys, other, NAME, new SecureRandom()));
    assertEquals(
        "the key-encryption key does not open the checkpoint key in "
            + otherKeys.resolve("checkpoint-key.json")
            + "; restore the kek.json it was made with, or move the file away to make a new key",
        e.getMessage());
  }

  @Test
  void loadOrCreate_corruptFile_failsClearly() throws Exception {
    KeyEncryptionKey kek = kek();
    load(kek);
    Files.writeString(file(), "{ not json");
    assertEquals(
        "the checkpoint key file " + file() + " is corrupt or not a Ward checkpoint key file",
        refused(() -> load(kek)).getMessage());
    assertEquals(
        "the checkpoint key file " + file() + " is corrupt or not a Ward checkpoint key file",
        refused(() -> CheckpointKey.verifierKey(keys())).getMessage());
  }

  @Test
  void loadOrCreate_swappedPublicKey_failsToOpen() throws Exception {
    KeyEncryptionKey kek = kek();
    CheckpointKey key = load(kek);
    String other =
        java.util.Base64.getEncoder()
            .encodeToString(health.ward.crypto.Ed25519SigningKey.generate(new SecureRandom()).publicKey());
    String mine = java.util.Base64.getEncoder().encodeToString(key.signingKey().publicKey());
    Files.writeString(file(), Files.readString(file()).replace(mine, other));
    refused(() -> load(kek));
  }

  @Test
  void loadOrCreate_otherName_failsNamingBoth() {
    KeyEncryptionKey kek = kek();
    load(kek);
    WardException e =
        refused(() -> CheckpointKey.loadOrCreate(keys(), kek, "other.example/log", new SecureRandom()));
    assertTrue(e.getMessage().startsWith("the checkpoint key in " + file() + " is named " + NAME + ", not other.example/log"), e.getMessage());
  }

  @Test
  void loadOrCreate_fileReadableByOthers_failsWithTheFix() throws Exception {
    KeyEncryptionKey kek = kek();
    load(kek);
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(
        "the checkpoint key file " + file() + " is accessible to other users (rw-r--r--); run: chmod 600 " + file(),
        refused(() -> load(kek)).getMessage());
  }

  @Test
  void verifierKey_missingFile_failsWithTheFix() {
    assertTrue(refused(() -> CheckpointKey.verifierKey(keys())).getMessage().startsWith("there is no checkpoint key file " + file()));
  }

  @Test
  void loadOrCreate_invalidName_throws() {
    KeyEncryptionKey kek = kek();
    for (String name : List.of("", "a b", "a+b", "a\nb")) {
      assertThrows(IllegalArgumentException.class, () -> CheckpointKey.loadOrCreate(keys(), kek, name, new SecureRandom()));
    }
  }

  @Test
  void rewrap_duringKekRotation_keepsTheKeyOpenUnderTheNewKeyAlone() {
    KeyEncryptionKey kek = kek();
    CheckpointKey key = load(kek);
    KeyEncryptionKey both = kek.persist(kek.keyset().withNewPrimary());
    assertFalse(CheckpointKey.opensUnder(keys(), both.keyset().withOnlyPrimary()));
    CheckpointKey.rewrap(keys(), both);
    assertTrue(CheckpointKey.opensUnder(keys(), both.keyset().withOnlyPrimary()));
    KeyEncryptionKey rotated = both.persist(both.keyset().withOnlyPrimary());
    assertEquals(key.verifierKey(), load(rotated).verifierKey());
    assertNotEquals(kek.keyset().primaryKeyId(), rotated.keyset().primaryKeyId());
  }
}
