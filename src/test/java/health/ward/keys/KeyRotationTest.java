package health.ward.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.store.Database;
import health.ward.store.PostgresWrappedKeyStore;
import health.ward.store.TestDatabase;
import health.ward.store.WrappedKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRotationTest {
  static final char[] PASS = "rotate me".toCharArray();
  static final byte[] AD = {3};

  @TempDir Path tmp;
  Path keys;
  Database db;
  WrappedKeyStore store;

  @BeforeEach
  void open() {
    keys = tmp.resolve("keys");
    db = TestDatabase.fresh();
    store = new PostgresWrappedKeyStore(db.dataSource());
  }

  @AfterEach
  void close() {
    db.close();
  }

  static Pseudonym patient(int i) {
    byte[] b = new byte[16];
    b[15] = (byte) i;
    b[14] = (byte) (i >> 8);
    return Pseudonym.of(b);
  }

  /** Seals one value per patient (and one of no patient); returns the ciphertexts by patient. */
  Map<Pseudonym, byte[]> sealFor(PatientKeyring ring, int from, int to) {
    Map<Pseudonym, byte[]> out = new LinkedHashMap<>();
    for (int i = from; i < to; i++) out.put(patient(i), ring.dataKey(patient(i)).encrypt(new byte[] {(byte) i}, AD));
    return out;
  }

  void assertAllOpen(Map<Pseudonym, byte[]> sealed, byte[] unowned) throws GeneralSecurityException {
    PatientKeyring ring = new PatientKeyring(KeyEncryptionKey.load(keys, PASS), store, 10);
    for (var e : sealed.entrySet()) {
      byte[] plain = ring.existingDataKey(e.getKey()).decrypt(e.getValue(), AD);
      assertEquals(e.getKey().bytes()[15], plain[0]);
    }
    assertArrayEquals(new byte[] {-1}, ring.dataKey(null).decrypt(unowned, AD));
  }

  Path copyOfKeyFile(String name) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.copy(keys.resolve("kek.json"), dir.resolve("kek.json"), StandardCopyOption.COPY_ATTRIBUTES);
    return dir;
  }

  @Test
  void rotate_keepsEveryKeyOpenable_andTheOldKeyFileNoLongerOpensThem() throws Exception {
    PatientKeyring ring = new PatientKeyring(KeyEncryptionKey.load(keys, PASS), store, 10);
    Map<Pseudonym, byte[]> sealed = sealFor(ring, 0, 1200);
    byte[] unowned = ring.dataKey(null).encrypt(new byte[] {-1}, AD);
    ring.indexKey("Patient", "name");
    Path oldKeys = copyOfKeyFile("old");
    long rows = store.count(PatientKeyring.PATIENT) + 4; // + check, unowned, pseudonym, one index
    List<String> progress = new ArrayList<>();

    long n = KeyRotation.rotate(keys, PASS, store, progress::add);

    assertEquals(rows, n);
    assertTrue(progress.getFirst().startsWith("added a new primary key"), progress.toString());
    assertTrue(progress.contains("rewrapped 500 keys"), progress.toString());
    assertTrue(progress.getLast().startsWith("removed the old key"), progress.toString());
    KeyEncryptionKey rotated = KeyEncryptionKey.load(keys, PASS);
    assertEquals(1, rotated.keyset().size());
    assertAllOpen(sealed, unowned);

    KeyEncryptionKey old = KeyEncryptionKey.load(oldKeys, PASS);
    assertNotEquals(old.keyset().primaryKeyId(), rotated.keyset().primaryKeyId());
    assertThrows(WardException.KeyUnavailable.class, () -> new PatientKeyring(old, store, 10));
    byte[] wrapped = store.find(PatientKeyring.PATIENT, patient(7).bytes()).orElseThrow();
    assertThrows(GeneralSecurityException.class,
        () -> old.unwrap(wrapped, PatientKeyring.associatedData(PatientKeyring.PATIENT, patient(7).bytes())));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("kek.json"))));
  }

  @Test
  void rotate_interruptedAfterAddingTheKeyAndMidRewrap_leavesEverythingOpenable_andResumes() throws Exception {
    KeyEncryptionKey original = KeyEncryptionKey.load(keys, PASS);
    PatientKeyring ring = new PatientKeyring(original, store, 10);
    Map<Pseudonym, byte[]> sealed = sealFor(ring, 0, 20);
    byte[] unowned = ring.dataKey(null).encrypt(new byte[] {-1}, AD);

    // Crash after step 1: the file holds old and new keys, rows are still under the old one.
    KeyEncryptionKey both = original.persist(original.keyset().withNewPrimary());
    assertAllOpen(sealed, unowned);

    // Crash mid step 2: some rows under the new key, the rest under the old.
    assertThrows(IllegalStateException.class, () -> store.rewrapAll(5, e -> {
      if (e.kind().equals(PatientKeyring.PATIENT) && e.name()[15] == 12) throw new IllegalStateException("killed");
      byte[] ad = PatientKeyring.associatedData(e.kind(), e.name());
      try {
        return both.wrap(both.unwrap(e.wrapped(), ad), ad);
      } catch (GeneralSecurityException x) {
        throw new AssertionError(x);
      }
    }, n -> {}));
    sealed.putAll(sealFor(new PatientKeyring(both, store, 10), 20, 25));
    assertAllOpen(sealed, unowned);

    List<String> progress = new ArrayList<>();
    KeyRotation.rotate(keys, PASS, store, progress::add);

    assertTrue(progress.getFirst().startsWith("resuming an interrupted rotation"), progress.toString());
    KeyEncryptionKey done = KeyEncryptionKey.load(keys, PASS);
    assertEquals(1, done.keyset().size());
    assertEquals(both.keyset().primaryKeyId(), done.keyset().primaryKeyId());
    assertAllOpen(sealed, unowned);
  }

  @Test
  void rotate_withWrongKek_refusesAndChangesNothing() throws Exception {
    new PatientKeyring(KeyEncryptionKey.load(keys, PASS), store, 10).dataKey(patient(1));
    Path other = tmp.resolve("other");
    KeyEncryptionKey.load(other, PASS);
    String before = Files.readString(other.resolve("kek.json"));
    assertThrows(WardException.KeyUnavailable.class, () -> KeyRotation.rotate(other, PASS, store, s -> {}));
    assertEquals(before, Files.readString(other.resolve("kek.json")));
  }

  @Test
  void rotate_twice_keepsEverythingOpenable() throws Exception {
    PatientKeyring ring = new PatientKeyring(KeyEncryptionKey.load(keys, PASS), store, 10);
    Map<Pseudonym, byte[]> sealed = sealFor(ring, 0, 5);
    byte[] unowned = ring.dataKey(null).encrypt(new byte[] {-1}, AD);
    KeyRotation.rotate(keys, PASS, store, s -> {});
    KeyRotation.rotate(keys, PASS, store, s -> {});
    assertAllOpen(sealed, unowned);
  }
}
