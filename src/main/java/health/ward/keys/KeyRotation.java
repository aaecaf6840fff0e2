package health.ward.keys;

import health.ward.common.WardException;
import health.ward.crypto.AesGcmKeyset;
import health.ward.store.WrappedKeyStore;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Rotation of the key-encryption key. Data keys are not changed and resources are not re-encrypted:
 * only the wrapping of each key row is renewed.
 *
 * <p>The checkpoint signing key ({@link CheckpointKey}) is rewrapped with the rows, and checked
 * with them before the old key goes.
 *
 * <p>Crash safety: each step leaves a state in which every row opens.
 *
 * <ol>
 *   <li>a new key is added to the KEK keyset as primary and the file is replaced atomically (old
 *       key kept, so rows still wrapped under it open);
 *   <li>every row is rewrapped under the new primary, in batches, each batch one transaction;
 *   <li>every row is checked to open under the new key alone; only then is the old key removed and
 *       the file replaced again.
 * </ol>
 *
 * A run that finds a KEK with more than one key (an interrupted rotation) resumes it with the
 * existing primary instead of adding another key. Run it with Ward stopped: a running server still
 * holding the old KEK would wrap new keys under it, and step 3 would then refuse to finish.
 */
public final class KeyRotation {
  static final int BATCH_SIZE = 500;

  private KeyRotation() {}

  /**
   * Rotates the KEK in {@code keysDir} and rewraps every row of {@code store}.
   *
   * @param passphrase WARD_MASTER_PASSPHRASE, or null if the key file is unprotected
   * @param progress receives one human-readable line per step and batch
   * @return the number of rows rewrapped
   * @throws WardException.KeyUnavailable when the KEK cannot be loaded, is not this database's, or a
   *     row does not open under the new key
   */
  public static long rotate(
      Path keysDir, char[] passphrase, WrappedKeyStore store, Consumer<String> progress) {
    KeyEncryptionKey kek = KeyEncryptionKey.load(keysDir, passphrase);
    PatientKeyring.verifyKek(kek, store);
    if (kek.keyset().size() == 1) {
      kek = kek.persist(kek.keyset().withNewPrimary());
      progress.accept("added a new primary key to " + keysDir.resolve(KeyEncryptionKey.FILE_NAME));
    } else {
      progress.accept("resuming an interrupted rotation (" + kek.keyset().size() + " keys in the KEK)");
    }
    KeyEncryptionKey both = kek;
    long rewrapped =
        store.rewrapAll(
            BATCH_SIZE,
            e -> {
              byte[] ad = PatientKeyring.associatedData(e.kind(), e.name());
              try {
                byte[] secret = both.unwrap(e.wrapped(), ad);
                try {
                  return both.wrap(secret, ad);
                } finally {
                  Arrays.fill(secret, (byte) 0);
                }
              } catch (GeneralSecurityException x) {
                throw new WardException.KeyUnavailable(
                    "a wrapped " + e.kind() + " key does not open under the key-encryption key in "
                        + keysDir + "; rotation stopped, every row still opens with the current key");
              }
            },
            n -> progress.accept("rewrapped " + n + " keys"));
    CheckpointKey.rewrap(keysDir, both);
    AesGcmKeyset newOnly = both.keyset().withOnlyPrimary();
    if (!CheckpointKey.opensUnder(keysDir, newOnly)) {
      throw new WardException.KeyUnavailable(
          "the checkpoint key in " + keysDir + " is not wrapped under the new key (was Ward running"
              + " during the rotation?); the old key was kept, run the rotation again");
    }
    store.forEach(
        BATCH_SIZE,
        e -> {
          try {
            newOnly.decrypt(e.wrapped(), PatientKeyring.associatedData(e.kind(), e.name()));
          } catch (GeneralSecurityException x) {
            throw new WardException.KeyUnavailable(
                "a wrapped " + e.kind() + " key is not wrapped under the new key (was Ward running"
                    + " during the rotation?); the old key was kept, run the rotation again");
          }
        });
    both.persist(newOnly);
    progress.accept("removed the old key; rotation complete, " + rewrapped + " keys rewrapped");
    return rewrapped;
  }
}
