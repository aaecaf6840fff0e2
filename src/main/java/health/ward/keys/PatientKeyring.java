package health.ward.keys;

import health.ward.common.Canonical;
import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.crypto.AesGcmKeyset;
import health.ward.crypto.HmacPrfKeyset;
import health.ward.store.WrappedKeyStore;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Ward's working keys, each stored wrapped under the {@link KeyEncryptionKey} in a {@link
 * WrappedKeyStore} and unwrapped on first use:
 *
 * <ul>
 *   <li>one AES-256-GCM data key per patient (row {@code ("patient", pseudonym bytes)}), created
 *       lazily, and one for resources that belong to no patient ({@code ("unowned", "")});
 *   <li>one HMAC-SHA256 PRF key for pseudonyms ({@code ("pseudonym", "")});
 *   <li>one HMAC-SHA256 PRF key per blind index ({@code ("index", Canonical(type, parameter))}).
 * </ul>
 *
 * <p>Each wrapped value is {@code KEK-AES-GCM(Tink keyset, associated data = Canonical(kind, name))},
 * so a wrapped key copied to another row does not unwrap. A check row {@code ("check", "")} proves at
 * construction that this KEK is the one the database's keys were wrapped with.
 *
 * <p>Concurrency: creation is race-free across threads and processes (the store's putIfAbsent picks
 * one winner, every loser uses the winner's key). Unwrapped keys are kept in bounded caches with
 * approximate LRU eviction whose hit path takes no lock. Index keys share that bound; there are only
 * as many as searchable (type, parameter) pairs.
 */
public final class PatientKeyring {
  static final String CHECK = "check", PATIENT = "patient", UNOWNED = "unowned";
  static final String PSEUDONYM = "pseudonym", INDEX = "index";
  private static final byte[] NO_NAME = new byte[0];
  private static final byte[] CHECK_PLAINTEXT =
      Canonical.builder().text("ward-kek-check").number(1).encode();

  private record IndexName(String resourceType, String parameter) {}

  private final KeyEncryptionKey kek;
  private final WrappedKeyStore store;
  private final KeyCache<Pseudonym, AesGcmKeyset> patientKeys;
  private final KeyCache<IndexName, HmacPrfKeyset> indexKeys;
  private final AesGcmKeyset unownedKey;
  private final HmacPrfKeyset pseudonymKey;

  /**
   * Opens the keyring, first checking (or, on a new database, creating) the KEK check row.
   *
   * @param cacheSize how many unwrapped patient keys (and, separately, index keys) to keep
   * @throws WardException.KeyUnavailable when {@code kek} is not the database's KEK
   * @throws WardException.StoreUnavailable when the store fails
   */
  public PatientKeyring(KeyEncryptionKey kek, WrappedKeyStore store, int cacheSize) {
    this.kek = Objects.requireNonNull(kek, "kek");
    this.store = Objects.requireNonNull(store, "store");
    this.patientKeys = new KeyCache<>(cacheSize);
    this.indexKeys = new KeyCache<>(cacheSize);
    verifyKek();
    this.unownedKey = aeadKey(UNOWNED, NO_NAME, true).orElseThrow();
    this.pseudonymKey = prfKey(PSEUDONYM, NO_NAME);
  }

  /** Checks {@code kek} against the database's check row, creating the row on first use. */
  static void verifyKek(KeyEncryptionKey kek, WrappedKeyStore store) {
    byte[] ad = associatedData(CHECK, NO_NAME);
    byte[] stored =
        store.find(CHECK, NO_NAME)
            .orElseGet(() -> store.putIfAbsent(CHECK, NO_NAME, kek.wrap(CHECK_PLAINTEXT, ad)));
    try {
      if (MessageDigest.isEqual(kek.unwrap(stored, ad), CHECK_PLAINTEXT)) return;
    } catch (GeneralSecurityException e) {
      // Falls through to the refusal below.
    }
    throw new WardException.KeyUnavailable(
        "the key-encryption key in " + kek.keysDir()
            + " is not the one this database's keys were wrapped with");
  }

  private void verifyKek() {
    verifyKek(kek, store);
  }

  /**
   * The data key for {@code patient} ({@code null}: resources of no patient), created if the patient
   * has none yet. Use it to seal.
   */
  public AesGcmKeyset dataKey(Pseudonym patient) {
    if (patient == null) return unownedKey;
    return patientKeys.get(patient, p -> aeadKey(PATIENT, p.bytes(), true).orElseThrow());
  }

  /**
   * The existing data key for {@code patient} ({@code null}: resources of no patient). Use it to
   * open: it never creates a key.
   *
   * @throws WardException.KeyUnavailable when the patient has no key (never created, or shredded)
   */
  public AesGcmKeyset existingDataKey(Pseudonym patient) {
    if (patient == null) return unownedKey;
    return patientKeys.get(
        patient,
        p ->
            aeadKey(PATIENT, p.bytes(), false)
                .orElseThrow(
                    () ->
                        new WardException.KeyUnavailable(
                            "no data key for patient " + p + ": it was shredded or never created")));
  }

  /** The PRF key for keyed pseudonyms. */
  public HmacPrfKeyset pseudonymKey() {
    return pseudonymKey;
  }

  /** The PRF key of one blind index: the search parameter {@code parameter} of {@code resourceType}. */
  public HmacPrfKeyset indexKey(String resourceType, String parameter) {
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(parameter, "parameter");
    return indexKeys.get(
        new IndexName(resourceType, parameter),
        n -> prfKey(INDEX, Canonical.builder().text(n.resourceType()).text(n.parameter()).encode()));
  }

  /**
   * Destroys {@code patient}'s data key (crypto-shredding): everything sealed under it can no longer
   * be opened here. Returns false if there was no key. Other processes' caches are not reached, and
   * a later {@link #dataKey} for the same patient creates a new, unrelated key.
   */
  public boolean shred(Pseudonym patient) {
    Objects.requireNonNull(patient, "patient");
    boolean deleted = store.delete(PATIENT, patient.bytes());
    patientKeys.invalidate(patient);
    return deleted;
  }

  /** Associated data binding a wrapped key to its row. */
  static byte[] associatedData(String kind, byte[] name) {
    return Canonical.builder().text(kind).bytes(name).encode();
  }

  private Optional<AesGcmKeyset> aeadKey(String kind, byte[] name, boolean create) {
    Optional<byte[]> secret = material(kind, name, create ? () -> AesGcmKeyset.generate().toSecretBytes() : null);
    if (secret.isEmpty()) return Optional.empty();
    byte[] bytes = secret.get();
    try {
      return Optional.of(AesGcmKeyset.fromSecretBytes(bytes));
    } catch (GeneralSecurityException e) {
      throw damaged(kind, name);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private HmacPrfKeyset prfKey(String kind, byte[] name) {
    byte[] bytes = material(kind, name, () -> HmacPrfKeyset.generate().toSecretBytes()).orElseThrow();
    try {
      return HmacPrfKeyset.fromSecretBytes(bytes);
    } catch (GeneralSecurityException e) {
      throw damaged(kind, name);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * The unwrapped keyset bytes at (kind, name); if absent and {@code fresh} is given, wraps and
   * stores a fresh keyset, then uses whichever value won the insert.
   */
  private Optional<byte[]> material(String kind, byte[] name, Supplier<byte[]> fresh) {
    byte[] ad = associatedData(kind, name);
    Optional<byte[]> wrapped = store.find(kind, name);
    if (wrapped.isEmpty()) {
      if (fresh == null) return Optional.empty();
      byte[] secret = fresh.get();
      byte[] mine = kek.wrap(secret, ad);
      Arrays.fill(secret, (byte) 0);
      wrapped = Optional.of(store.putIfAbsent(kind, name, mine));
    }
    try {
      return Optional.of(kek.unwrap(wrapped.get(), ad));
    } catch (GeneralSecurityException e) {
      throw damaged(kind, name);
    }
  }

  private WardException.KeyUnavailable damaged(String kind, byte[] name) {
    return new WardException.KeyUnavailable(
        "the wrapped " + kind + " key (" + name.length + "-byte name) failed its integrity check:"
            + " it was altered, moved from another row, or wrapped by another key-encryption key");
  }

  @Override
  public String toString() {
    return "PatientKeyring[" + kek + ", cached patient keys=" + patientKeys.size() + "]";
  }
}
