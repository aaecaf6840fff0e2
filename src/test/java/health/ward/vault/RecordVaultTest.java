package health.ward.vault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.keys.KeyEncryptionKey;
import health.ward.keys.KeyRotation;
import health.ward.keys.PatientKeyring;
import health.ward.store.Database;
import health.ward.store.PostgresWrappedKeyStore;
import health.ward.store.StoredRecord;
import health.ward.store.TestDatabase;
import health.ward.store.WrappedKeyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordVaultTest {
  static final byte[] BODY =
      "{\"resourceType\":\"Observation\",\"status\":\"final\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path tmp;
  static Database db;
  static WrappedKeyStore store;
  static RecordVault vault;
  static Pseudonym alice;
  static Pseudonym bob;

  @BeforeAll
  static void open() {
    db = TestDatabase.fresh();
    store = new PostgresWrappedKeyStore(db.dataSource());
    vault = newVault();
    alice = vault.patientPseudonym("alice");
    bob = vault.patientPseudonym("bob");
  }

  static RecordVault newVault() {
    return new RecordVault(new PatientKeyring(KeyEncryptionKey.load(tmp.resolve("keys"), null), store, 100));
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static StoredRecord row(Pseudonym p, String type, String id, long version, byte[] c) {
    return new StoredRecord(type, id, version, p, false, c);
  }

  static WardException.IntegrityFailure integrity(StoredRecord r) {
    return assertThrows(WardException.IntegrityFailure.class, () -> vault.open(r));
  }

  @Test
  void open_ofSeal_returnsThePlaintext() {
    byte[] c = vault.seal(alice, "Observation", "o1", 1, BODY);
    assertArrayEquals(BODY, vault.open(row(alice, "Observation", "o1", 1, c)));
    assertFalse(new String(c, StandardCharsets.ISO_8859_1).contains("Observation"));
  }

  @Test
  void open_ofResourceOfNoPatient_returnsThePlaintext() {
    byte[] c = vault.seal(null, "Organization", "org1", 3, BODY);
    assertArrayEquals(BODY, vault.open(row(null, "Organization", "org1", 3, c)));
  }

  @Test
  void open_afterByteFlip_failsWithIntegrityError() {
    byte[] c = vault.seal(alice, "Observation", "o2", 1, BODY);
    for (int i = 0; i < c.length; i++) {
      byte[] bad = c.clone();
      bad[i] ^= (byte) 0x80;
      WardException e = integrity(row(alice, "Observation", "o2", 1, bad));
      assertEquals("integrity check failed for Observation/o2/_history/1", e.getMessage());
    }
  }

  @Test
  void open_afterTruncation_failsWithIntegrityError() {
    byte[] c = vault.seal(alice, "Observation", "o3", 1, BODY);
    integrity(row(alice, "Observation", "o3", 1, Arrays.copyOf(c, c.length - 1)));
    integrity(row(alice, "Observation", "o3", 1, new byte[0]));
  }

  @Test
  void open_ofCiphertextCopiedToAnotherPatient_fails() {
    byte[] c = vault.seal(alice, "Observation", "o4", 1, BODY);
    vault.seal(bob, "Observation", "x", 1, BODY);
    assertEquals("integrity check failed for Observation/o4/_history/1",
        integrity(row(bob, "Observation", "o4", 1, c)).getMessage());
    integrity(row(null, "Observation", "o4", 1, c));
  }

  @Test
  void open_ofCiphertextCopiedToAnotherIdTypeOrVersion_fails() {
    byte[] c = vault.seal(alice, "Observation", "o5", 2, BODY);
    integrity(row(alice, "Observation", "o6", 2, c));
    integrity(row(alice, "Condition", "o5", 2, c));
    integrity(row(alice, "Observation", "o5", 1, c));
    integrity(row(alice, "Observation", "o5", 3, c));
  }

  @Test
  void open_ofNoPatientCiphertextClaimedByAPatient_fails() {
    byte[] c = vault.seal(null, "Organization", "org2", 1, BODY);
    integrity(row(alice, "Organization", "org2", 1, c));
  }

  @Test
  void open_ofPatientWithNoKey_isKeyUnavailable() {
    Pseudonym nobody = vault.patientPseudonym("never-written");
    assertThrows(WardException.KeyUnavailable.class,
        () -> vault.open(row(nobody, "Observation", "o7", 1, new byte[40])));
  }

  @Test
  void open_afterShred_failsWithKeyUnavailable() {
    PatientKeyring ring = new PatientKeyring(KeyEncryptionKey.load(tmp.resolve("keys"), null), store, 100);
    RecordVault v = new RecordVault(ring);
    Pseudonym carol = v.patientPseudonym("carol");
    byte[] c = v.seal(carol, "Observation", "o8", 1, BODY);
    ring.shred(carol);
    assertThrows(WardException.KeyUnavailable.class, () -> v.open(row(carol, "Observation", "o8", 1, c)));
  }

  @Test
  void pseudonyms_andTokens_areStableAcrossReopen() {
    RecordVault reopened = newVault();
    assertEquals(vault.patientPseudonym("alice"), reopened.patientPseudonym("alice"));
    assertEquals(vault.pseudonym("actor", "t1"), reopened.pseudonym("actor", "t1"));
    assertArrayEquals(vault.token("Patient", "family", "smith"), reopened.token("Patient", "family", "smith"));
    byte[] c = vault.seal(alice, "Observation", "o9", 1, BODY);
    assertArrayEquals(BODY, reopened.open(row(alice, "Observation", "o9", 1, c)));
  }

  @Test
  void pseudonyms_andTokens_areStableAcrossKekRotation() {
    Database own = TestDatabase.fresh();
    try (own) {
      WrappedKeyStore s = new PostgresWrappedKeyStore(own.dataSource());
      Path keys = tmp.resolve("rot");
      RecordVault before = new RecordVault(new PatientKeyring(KeyEncryptionKey.load(keys, null), s, 10));
      Pseudonym p = before.patientPseudonym("dave");
      byte[] token = before.token("Patient", "name", "dave");
      byte[] c = before.seal(p, "Patient", "dave", 1, BODY);
      KeyRotation.rotate(keys, null, s, line -> {});
      RecordVault after = new RecordVault(new PatientKeyring(KeyEncryptionKey.load(keys, null), s, 10));
      assertEquals(p, after.patientPseudonym("dave"));
      assertArrayEquals(token, after.token("Patient", "name", "dave"));
      assertArrayEquals(BODY, after.open(row(p, "Patient", "dave", 1, c)));
    }
  }

  @Test
  void patientPseudonym_isThePseudonymInDomainPatient() {
    assertEquals(vault.pseudonym("patient", "alice"), vault.patientPseudonym("alice"));
  }

  @Test
  void pseudonym_differsAcrossDomainsAndValues() {
    assertNotEquals(vault.pseudonym("actor", "x"), vault.pseudonym("address", "x"));
    assertNotEquals(vault.pseudonym("actor", "x"), vault.pseudonym("actor", "y"));
    // Canonical encoding: moving characters between fields changes the input.
    assertNotEquals(vault.pseudonym("ab", "c"), vault.pseudonym("a", "bc"));
    assertEquals(16, vault.pseudonym("actor", "x").bytes().length);
  }

  @Test
  void token_differsAcrossTypesParametersAndValues_andIs16Bytes() {
    String t = hex(vault.token("Patient", "family", "smith"));
    assertEquals(32, t.length());
    assertNotEquals(t, hex(vault.token("Patient", "given", "smith")));
    assertNotEquals(t, hex(vault.token("Practitioner", "family", "smith")));
    assertNotEquals(t, hex(vault.token("Patient", "family", "smyth")));
    assertEquals(t, hex(vault.token("Patient", "family", "smith")));
  }

  @Test
  void token_andPseudonym_ofTheSameInputs_areUnrelated() {
    assertNotEquals(hex(vault.token("patient", "x", "y")), vault.pseudonym("patient", "x").hex());
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void associatedData_matchesTheDocumentedLayout() {
    Pseudonym p = Pseudonym.fromHex("000102030405060708090a0b0c0d0e0f");
    assertEquals(
        "c7"
            + "02" + "00000008" + "0000000000000001"                       // format version 1
            + "03" + "00000010" + "000102030405060708090a0b0c0d0e0f"       // patient pseudonym
            + "01" + "0000000b" + hex("Observation".getBytes(StandardCharsets.UTF_8))
            + "01" + "00000002" + hex("o1".getBytes(StandardCharsets.UTF_8))
            + "02" + "00000008" + "0000000000000007",                      // version 7
        hex(RecordVault.associatedData(p, "Observation", "o1", 7)));
    assertEquals(
        "c7" + "02000000080000000000000001" + "0400000000"                 // patient absent
            + "01000000034f7267" + "010000000178" + "02000000080000000000000001",
        hex(RecordVault.associatedData(null, "Org", "x", 1)));
  }
}
