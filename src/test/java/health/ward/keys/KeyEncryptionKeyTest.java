package health.ward.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.WardException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyEncryptionKeyTest {
  static final byte[] SECRET = {1, 2, 3, 4};
  static final byte[] AD = {7};

  @TempDir Path tmp;

  Path keys() {
    return tmp.resolve("keys");
  }

  Path file() {
    return keys().resolve("kek.json");
  }

  static WardException.KeyUnavailable refused(Path dir, char[] passphrase) {
    return assertThrows(WardException.KeyUnavailable.class, () -> KeyEncryptionKey.load(dir, passphrase));
  }

  @Test
  void load_firstUse_createsOwnerOnlyDirectoryAndFile() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKey.load(keys(), null);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys())));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
    assertFalse(kek.passphraseProtected());
    try (var files = Files.list(keys())) {
      assertEquals(List.of(file()), files.toList(), "no temporary files left behind");
    }
  }

  @Test
  void load_again_opensWhatTheFirstWrapped() throws Exception {
    byte[] wrapped = KeyEncryptionKey.load(keys(), null).wrap(SECRET, AD);
    assertArrayEquals(SECRET, KeyEncryptionKey.load(keys(), null).unwrap(wrapped, AD));
  }

  @Test
  void load_withPassphrase_encryptsTheKeysetOnDisk() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKey.load(keys(), "s3cret".toCharArray());
    assertTrue(kek.passphraseProtected());
    String content = Files.readString(file());
    assertTrue(content.contains("\"protection\":\"argon2id\""), content);
    assertTrue(content.contains("encryptedKeyset"), content);
    assertFalse(content.contains("keyData"), "no plaintext key in the file");
    byte[] wrapped = kek.wrap(SECRET, AD);
    assertArrayEquals(SECRET, KeyEncryptionKey.load(keys(), "s3cret".toCharArray()).unwrap(wrapped, AD));
  }

  @Test
  void load_withWrongPassphrase_refusesWithClearMessage() {
    KeyEncryptionKey.load(keys(), "s3cret".toCharArray());
    WardException e = refused(keys(), "wrong".toCharArray());
    assertEquals(
        "the passphrase in WARD_MASTER_PASSPHRASE does not open the key-encryption key in " + file(),
        e.getMessage());
    assertNull(e.getCause());
    assertEquals(0, e.getStackTrace().length);
  }

  @Test
  void load_protectedFileWithoutPassphrase_refusesWithClearMessage() {
    KeyEncryptionKey.load(keys(), "s3cret".toCharArray());
    assertEquals(
        "the key-encryption key in " + file() + " is protected by a passphrase; set WARD_MASTER_PASSPHRASE",
        refused(keys(), null).getMessage());
  }

  @Test
  void load_unprotectedFileWithPassphrase_refuses() {
    KeyEncryptionKey.load(keys(), null);
    assertTrue(refused(keys(), "x".toCharArray()).getMessage().contains("is not protected by a passphrase"));
  }

  @Test
  void load_corruptFile_refusesWithClearMessage() throws Exception {
    KeyEncryptionKey.load(keys(), null);
    for (String garbage : List.of("", "{", "[]", "{\"format\":\"ward-kek/1\",\"protection\":\"none\",\"keyset\":{}}",
        "{\"format\":\"other\"}", "{\"format\":\"ward-kek/1\",\"protection\":\"rot13\"}")) {
      Files.writeString(file(), garbage, StandardCharsets.UTF_8);
      assertEquals(
          "the key-encryption key file " + file() + " is corrupt or not a Ward key file",
          refused(keys(), null).getMessage(), garbage);
    }
  }

  @Test
  void load_protectedFileWithAlteredKdfParameters_refuses() throws Exception {
    KeyEncryptionKey.load(keys(), "s3cret".toCharArray());
    String content = Files.readString(file());
    Files.writeString(file(), content.replace("\"iterations\":2", "\"iterations\":1"));
    assertTrue(refused(keys(), "s3cret".toCharArray()).getMessage().contains("does not open"));
  }

  @Test
  void load_fileReadableByOthers_refuses() throws Exception {
    KeyEncryptionKey.load(keys(), null);
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
    assertTrue(refused(keys(), null).getMessage().contains("chmod 600"));
  }

  @Test
  void load_unreadableFile_refuses() throws Exception {
    KeyEncryptionKey.load(keys(), null);
    Files.delete(file());
    Files.createDirectory(file());
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-------"));
    assertTrue(refused(keys(), null).getMessage().startsWith("could not read the key-encryption key file"));
  }

  @Test
  void persist_replacesTheFile_keepingModeAndProtection() throws Exception {
    KeyEncryptionKey kek = KeyEncryptionKey.load(keys(), "pw".toCharArray());
    KeyEncryptionKey next = kek.persist(kek.keyset().withNewPrimary());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
    KeyEncryptionKey reread = KeyEncryptionKey.load(keys(), "pw".toCharArray());
    assertEquals(2, reread.keyset().size());
    assertEquals(next.keyset().primaryKeyId(), reread.keyset().primaryKeyId());
    try (var files = Files.list(keys())) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void toString_namesTheFileNotTheKey() {
    KeyEncryptionKey kek = KeyEncryptionKey.load(keys(), null);
    assertTrue(kek.toString().contains("kek.json"));
    assertFalse(kek.toString().contains("keyData"));
  }

  @Test
  void load_concurrentFirstUse_allGetTheSameKey() throws Exception {
    List<KeyEncryptionKey> keks = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> { go.await(); return keks.add(KeyEncryptionKey.load(keys(), "pw".toCharArray())); }));
      }
      go.countDown();
      for (var f : done) f.get();
    }
    byte[] wrapped = KeyEncryptionKey.load(keys(), "pw".toCharArray()).wrap(SECRET, AD);
    for (KeyEncryptionKey k : keks) assertArrayEquals(SECRET, k.unwrap(wrapped, AD));
  }
}
