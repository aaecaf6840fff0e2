package health.ward.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.keys.KeyEncryptionKey;
import health.ward.keys.PatientKeyring;
import health.ward.ledger.Ledger;
import health.ward.store.Database;
import health.ward.store.PostgresWrappedKeyStore;
import health.ward.store.TestDatabase;
import health.ward.vault.RecordVault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ledger entries: every NEN 7513 field round-trips, nothing identifying is stored in the clear. */
class AuditTrailTest {
  @TempDir static Path tmp;
  static Database db;
  static PatientKeyring keyring;
  static RecordVault vault;
  static AuditTrail trail;
  static final List<byte[]> appended = new ArrayList<>();
  static Pseudonym alice;
  static Pseudonym bob;

  @BeforeAll
  static void open() {
    db = TestDatabase.fresh();
    keyring = new PatientKeyring(KeyEncryptionKey.load(tmp.resolve("keys"), null), new PostgresWrappedKeyStore(db.dataSource()), 100);
    vault = new RecordVault(keyring);
    Ledger memory =
        new Ledger() {
          @Override
          public synchronized long append(byte[] entry) {
            appended.add(entry.clone());
            return appended.size() - 1;
          }

          @Override
          public synchronized long size() {
            return appended.size();
          }

          @Override
          public void close() {}
        };
    trail = new AuditTrail(memory, vault);
    alice = vault.patientPseudonym("alice-id-0001");
    bob = vault.patientPseudonym("bob-id-0002");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static AccessEvent search() {
    return new AccessEvent(
        Instant.parse("2026-11-22T10:15:30.123Z"),
        "42", "lab-integration", "integration", "token:42",
        "search-type", "Observation", "code,subject",
        List.of(new Touch(alice, "Observation", "obs-a1"), new Touch(alice, "Patient", "alice-id-0001"),
            new Touch(bob, "Observation", "obs-b1"), new Touch(null, "Organization", "org-7")),
        AccessEvent.Outcome.ALLOWED, "api-token", false, "PUBHLTH", "10.20.30.40", "LabSync/3.1 (Linux)");
  }

  @Test
  void record_thenDecode_roundTripsEveryField_andOpensTheDetails() {
    long index = trail.record(search());
    AuditEntry e = AuditEntry.decode(appended.get((int) index));
    assertEquals(Instant.parse("2026-11-22T10:15:30.123Z"), e.at());
    assertEquals(vault.pseudonym("actor", "42"), e.actor());
    assertEquals("integration", e.actorRole());
    assertEquals(vault.pseudonym("session", "token:42"), e.session());
    assertEquals("search-type", e.interaction());
    assertEquals("Observation", e.resourceType());
    assertEquals("code,subject", e.searchShape());
    assertEquals(AccessEvent.Outcome.ALLOWED, e.outcome());
    assertEquals("api-token", e.rule());
    assertFalse(e.emergency());
    assertEquals("PUBHLTH", e.purposeOfUse());
    assertEquals(vault.pseudonym("address", "10.20.30.40"), e.address());
    assertEquals(vault.pseudonym("user-agent", "LabSync/3.1 (Linux)"), e.userAgent());
    assertEquals(List.of(alice, bob), e.patients());
    assertEquals(new AuditEntry.Touched(null, "Organization", vault.pseudonym("resource", "Organization/org-7")), e.touched().get(3));
    assertArrayEquals(appended.get((int) index), e.encode(), "decode then encode gives the same bytes");

    AuditDetails d = trail.open(e);
    assertEquals("42", d.actorId());
    assertEquals("lab-integration", d.actorName());
    assertEquals("token:42", d.session());
    assertEquals("10.20.30.40", d.address());
    assertEquals("LabSync/3.1 (Linux)", d.userAgent());
    assertEquals(Map.of(alice, List.of("Observation/obs-a1", "Patient/alice-id-0001"), bob, List.of("Observation/obs-b1")),
        d.references());
    assertEquals(List.of("Organization/org-7"), d.unownedReferences());
    assertTrue(d.unreadable().isEmpty());
  }

  @Test
  void localCommands_haveNoAddressSessionOrUserAgent() {
    AccessEvent local = new AccessEvent(Instant.EPOCH, "operator:import", "import", "operator", null, "transaction", "*", "",
        List.of(), AccessEvent.Outcome.ALLOWED, "operator", false, "HOPERAT", null, null);
    AuditEntry e = AuditEntry.decode(trail.seal(local).encode());
    assertNull(e.address());
    assertNull(e.session());
    assertNull(e.userAgent());
    AuditDetails d = trail.open(e);
    assertNull(d.address());
    assertEquals("import", d.actorName());
  }

  @Test
  void entry_containsNoPlainReferenceAddressUserAgentOrName() {
    byte[] entry = trail.seal(search()).encode();
    for (String secret : List.of("alice-id-0001", "obs-a1", "obs-b1", "org-7", "10.20.30.40", "LabSync", "lab-integration", "token:42")) {
      assertFalse(contains(entry, secret.getBytes(StandardCharsets.UTF_8)), "'" + secret + "' is in the entry");
    }
    // Positive control: the scan does see what is in the clear.
    assertTrue(contains(entry, "code,subject".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aDetailMovedToAnotherEntryOrPatient_orFlipped_failsIntegrity() {
    AuditEntry a = trail.seal(search());
    AccessEvent other = new AccessEvent(Instant.parse("2026-11-22T10:15:31Z"), "42", "lab-integration", "integration",
        "token:42", "read", "Observation", "", List.of(new Touch(alice, "Observation", "obs-a2")),
        AccessEvent.Outcome.ALLOWED, "api-token", false, "TREAT", "10.20.30.40", "LabSync/3.1 (Linux)");
    AuditEntry b = trail.seal(other);

    // Alice's detail from entry a pasted into entry b.
    AuditEntry moved = withDetails(b, List.of(a.details().get(0), b.details().get(1)));
    assertThrows(WardException.IntegrityFailure.class, () -> trail.open(moved));
    // Alice's detail filed under Bob in the same entry.
    AuditEntry swapped = withDetails(a, List.of(new AuditEntry.Sealed(bob, a.details().get(0).ciphertext()), a.details().get(1), a.details().get(2)));
    assertThrows(WardException.IntegrityFailure.class, () -> trail.open(swapped));
    // One bit flipped in the actor detail.
    byte[] c = a.details().get(2).ciphertext();
    c[c.length / 2] ^= 1;
    AuditEntry flipped = withDetails(a, List.of(a.details().get(0), a.details().get(1), new AuditEntry.Sealed(null, c)));
    assertThrows(WardException.IntegrityFailure.class, () -> trail.open(flipped));
    // A changed public field breaks every detail's binding too.
    AuditEntry relabelled = new AuditEntry(a.at(), a.actor(), "auditor", a.session(), a.interaction(), a.resourceType(),
        a.searchShape(), a.outcome(), a.rule(), a.emergency(), a.purposeOfUse(), a.address(), a.userAgent(), a.touched(), a.details());
    assertThrows(WardException.IntegrityFailure.class, () -> trail.open(relabelled));
  }

  @Test
  void afterShredding_thePatientsDetailsAreUnreadable_butTheEntryStillDecodes() {
    Pseudonym carol = vault.patientPseudonym("carol-id-0003");
    AccessEvent read = new AccessEvent(Instant.EPOCH, "42", "lab", "integration", "token:42", "read", "Patient", "",
        List.of(new Touch(carol, "Patient", "carol-id-0003")), AccessEvent.Outcome.ALLOWED, "api-token", false, "TREAT", "::1", null);
    byte[] stored = trail.seal(read).encode();
    assertTrue(keyring.shred(carol));
    AuditEntry e = AuditEntry.decode(stored);
    assertEquals(List.of(carol), e.patients());
    AuditDetails d = trail.open(e);
    assertEquals(Set.of(carol), d.unreadable());
    assertTrue(d.references().isEmpty());
    assertEquals("::1", d.address());
  }

  @Test
  void decode_refusesTruncatedGarbledAndForeignBytes() {
    byte[] good = trail.seal(search()).encode();
    assertThrows(IllegalArgumentException.class, () -> AuditEntry.decode(Arrays.copyOf(good, good.length - 1)));
    assertThrows(IllegalArgumentException.class, () -> AuditEntry.decode(Arrays.copyOf(good, good.length + 3)));
    assertThrows(IllegalArgumentException.class, () -> AuditEntry.decode(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> AuditEntry.decode("entry 1/2 xxx".getBytes(StandardCharsets.UTF_8)));
    byte[] otherFormat = health.ward.common.Canonical.builder().text("ward.access").number(9).encode();
    var e = assertThrows(IllegalArgumentException.class, () -> AuditEntry.decode(otherFormat));
    assertTrue(e.getMessage().contains("format 9"), e.getMessage());
    Random random = new Random(5);
    int refused = 0;
    for (int i = 0; i < 500; i++) {
      byte[] g = good.clone();
      g[random.nextInt(g.length)] ^= (byte) (1 << random.nextInt(8));
      try {
        AuditEntry decoded = AuditEntry.decode(g);
        assertNotNull(decoded);
        // A flip inside a value decodes; opening the details then catches it (or the value differs).
      } catch (IllegalArgumentException expected) {
        refused++;
      }
    }
    assertTrue(refused > 0, "some flips hit the structure");
  }

  @Test
  void firstFormatEntries_decode_withWhatTheyRecorded_andOpenAsNotRecorded() {
    Pseudonym actor = vault.pseudonym("actor", "42");
    byte[] v1 = health.ward.common.Canonical.builder().text("ward.access").number(1).instant(Instant.EPOCH)
        .bytes(actor.bytes()).text("read").text("Patient").text("").text("ALLOWED").text("api-token")
        .bytes(vault.pseudonym("address", "10.0.0.1").bytes()).number(1)
        .bytes(alice.bytes()).text("Patient").bytes(vault.pseudonym("resource", "Patient/a").bytes()).encode();
    AuditEntry e = AuditEntry.decode(v1);
    assertTrue(e.firstFormat());
    assertEquals(actor, e.actor());
    assertEquals(List.of(alice), e.patients());
    assertEquals(vault.pseudonym("address", "10.0.0.1"), e.address());
    assertEquals("", e.purposeOfUse());
    assertEquals("(not recorded)", trail.open(e).actorId());
    assertThrows(IllegalArgumentException.class, () -> AuditEntry.decode(Arrays.copyOf(v1, v1.length - 2)));
  }

  static AuditEntry withDetails(AuditEntry e, List<AuditEntry.Sealed> details) {
    return new AuditEntry(e.at(), e.actor(), e.actorRole(), e.session(), e.interaction(), e.resourceType(), e.searchShape(),
        e.outcome(), e.rule(), e.emergency(), e.purposeOfUse(), e.address(), e.userAgent(), e.touched(), details);
  }

  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }
}
