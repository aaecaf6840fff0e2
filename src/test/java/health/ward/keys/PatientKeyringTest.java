package health.ward.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.crypto.AesGcmKeyset;
import health.ward.store.Database;
import health.ward.store.PostgresWrappedKeyStore;
import health.ward.store.TestDatabase;
import health.ward.store.WrappedKeyStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatientKeyringTest {
  static final Pseudonym ALICE = Pseudonym.fromHex("00112233445566778899aabbccddeeff");
  static final Pseudonym BOB = Pseudonym.fromHex("ffeeddccbbaa99887766554433221100");
  static final byte[] AD = {1};

  @TempDir Path tmp;
  Database db;
  WrappedKeyStore store;
  KeyEncryptionKey kek;

  @BeforeEach
  void open() {
    db = TestDatabase.fresh();
    store = new PostgresWrappedKeyStore(db.dataSource());
    kek = KeyEncryptionKey.load(tmp.resolve("keys"), null);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void construct_withAnotherKek_refusesWithClearMessage() {
    new PatientKeyring(kek, store, 10);
    KeyEncryptionKey other = KeyEncryptionKey.load(tmp.resolve("other"), null);
    WardException e = assertThrows(WardException.KeyUnavailable.class, () -> new PatientKeyring(other, store, 10));
    assertEquals(
        "the key-encryption key in " + tmp.resolve("other")
            + " is not the one this database's keys were wrapped with",
        e.getMessage());
  }

  @Test
  void dataKey_concurrentFirstUseFrom8Threads_yieldsOneKey() throws Exception {
    List<PatientKeyring> rings = new ArrayList<>();
    for (int i = 0; i < 8; i++) rings.add(new PatientKeyring(kek, store, 10));
    CountDownLatch go = new CountDownLatch(1);
    List<Future<byte[]>> sealed = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (PatientKeyring ring : rings) {
        sealed.add(pool.submit(() -> { go.await(); return ring.dataKey(ALICE).encrypt(new byte[] {42}, AD); }));
      }
      go.countDown();
      List<byte[]> ciphertexts = new ArrayList<>();
      for (Future<byte[]> f : sealed) ciphertexts.add(f.get());
      Set<Integer> keyIds = new HashSet<>();
      AesGcmKeyset fresh = new PatientKeyring(kek, store, 10).existingDataKey(ALICE);
      for (byte[] c : ciphertexts) {
        keyIds.add(java.nio.ByteBuffer.wrap(c, 1, 4).getInt());
        assertArrayEquals(new byte[] {42}, fresh.decrypt(c, AD));
      }
      assertEquals(1, keyIds.size());
    }
    assertEquals(1, store.count(PatientKeyring.PATIENT));
  }

  @Test
  void dataKey_isCachedAndStableAcrossKeyrings() throws Exception {
    PatientKeyring ring = new PatientKeyring(kek, store, 10);
    assertSame(ring.dataKey(ALICE), ring.dataKey(ALICE));
    byte[] c = ring.dataKey(ALICE).encrypt(new byte[] {5}, AD);
    assertArrayEquals(new byte[] {5}, new PatientKeyring(kek, store, 10).existingDataKey(ALICE).decrypt(c, AD));
  }

  @Test
  void dataKey_differsPerPatientAndForNoPatient() {
    PatientKeyring ring = new PatientKeyring(kek, store, 10);
    Set<Integer> ids = new HashSet<>();
    ids.add(ring.dataKey(ALICE).primaryKeyId());
    ids.add(ring.dataKey(BOB).primaryKeyId());
    ids.add(ring.dataKey(null).primaryKeyId());
    assertEquals(3, ids.size());
  }

  @Test
  void dataKey_withCacheOfOne_reloadsTheSameKeys() throws Exception {
    PatientKeyring ring = new PatientKeyring(kek, store, 1);
    byte[] a = ring.dataKey(ALICE).encrypt(new byte[] {1}, AD);
    byte[] b = ring.dataKey(BOB).encrypt(new byte[] {2}, AD);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(new byte[] {1}, ring.existingDataKey(ALICE).decrypt(a, AD));
      assertArrayEquals(new byte[] {2}, ring.existingDataKey(BOB).decrypt(b, AD));
    }
    assertEquals(2, store.count(PatientKeyring.PATIENT));
  }

  @Test
  void existingDataKey_ofPatientWithoutKey_isKeyUnavailable_andCreatesNothing() {
    PatientKeyring ring = new PatientKeyring(kek, store, 10);
    assertThrows(WardException.KeyUnavailable.class, () -> ring.existingDataKey(ALICE));
    assertEquals(0, store.count(PatientKeyring.PATIENT));
  }

  @Test
  void existingDataKey_afterShred_isKeyUnavailable() {
    PatientKeyring ring = new PatientKeyring(kek, store, 10);
    ring.dataKey(ALICE);
    assertTrue(ring.shred(ALICE));
    assertThrows(WardException.KeyUnavailable.class, () -> ring.existingDataKey(ALICE));
    assertThrows(WardException.KeyUnavailable.class,
        () -> new PatientKeyring(kek, store, 10).existingDataKey(ALICE));
  }

  @Test
  void wrappedKey_movedToAnotherPatientsRow_doesNotUnwrap() {
    new PatientKeyring(kek, store, 10).dataKey(ALICE);
    byte[] alices = store.find(PatientKeyring.PATIENT, ALICE.bytes()).orElseThrow();
    store.putIfAbsent(PatientKeyring.PATIENT, BOB.bytes(), alices);
    WardException e = assertThrows(WardException.KeyUnavailable.class,
        () -> new PatientKeyring(kek, store, 10).existingDataKey(BOB));
    assertTrue(e.getMessage().contains("failed its integrity check"), e.getMessage());
  }

  @Test
  void indexKey_differsPerTypeAndParameter_andIsStable() {
    PatientKeyring ring = new PatientKeyring(kek, store, 10);
    byte[] in = {1, 2, 3};
    byte[] a = ring.indexKey("Patient", "name").compute(in, 16);
    assertNotEquals(java.util.HexFormat.of().formatHex(a),
        java.util.HexFormat.of().formatHex(ring.indexKey("Patient", "family").compute(in, 16)));
    assertNotEquals(java.util.HexFormat.of().formatHex(a),
        java.util.HexFormat.of().formatHex(ring.indexKey("Practitioner", "name").compute(in, 16)));
    assertArrayEquals(a, new PatientKeyring(kek, store, 10).indexKey("Patient", "name").compute(in, 16));
    assertEquals(3, store.count(PatientKeyring.INDEX));
  }

  @Test
  void pseudonymKey_isStableAcrossKeyrings() {
    byte[] in = {9};
    assertArrayEquals(
        new PatientKeyring(kek, store, 10).pseudonymKey().compute(in, 16),
        new PatientKeyring(KeyEncryptionKey.load(tmp.resolve("keys"), null), store, 10).pseudonymKey().compute(in, 16));
  }

  @Test
  void associatedData_ofWrappedKey_isCanonicalKindAndName() {
    assertEquals(
        "c7" + "0100000007" + java.util.HexFormat.of().formatHex("patient".getBytes(java.nio.charset.StandardCharsets.UTF_8))
            + "0300000010" + "00112233445566778899aabbccddeeff",
        java.util.HexFormat.of().formatHex(PatientKeyring.associatedData(PatientKeyring.PATIENT, ALICE.bytes())));
  }
}
