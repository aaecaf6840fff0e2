package health.ward.keys;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import health.ward.common.Canonical;
import health.ward.common.WardException;
import health.ward.crypto.AesGcmKeyset;
import health.ward.crypto.Argon2idKey;
import health.ward.crypto.Argon2idParameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;

/**
 * The key-encryption key (KEK): a Tink AES-256-GCM keyset in {@code <keysDir>/kek.json}, kept apart
 * from the database. It wraps every data key and PRF key Ward stores; without it the database's
 * ciphertexts are useless.
 *
 * <p>On disk (owner-only: directory 0700, file 0600, replaced atomically):
 *
 * <pre>
 * { "format": "ward-kek/1",
 *   "protection": "argon2id" | "none",
 *   "kdf": { "memoryKiB": m, "iterations": t, "parallelism": p, "salt": base64 },   (argon2id only)
 *   "keyset": Tink JSON keyset; with argon2id an EncryptedKeyset under the passphrase key,
 *             with associated data Canonical("ward-kek", 1, m, t, p, salt) }
 * </pre>
 *
 * Without a passphrase the keyset is in the clear (still 0600); {@link #passphraseProtected()} says
 * so, and the caller should warn. Every failure to load is a {@link WardException.KeyUnavailable}
 * whose message names the file and the fix, never key bytes.
 */
public final class KeyEncryptionKey {
  static final String FILE_NAME = "kek.json";
  private static final String FORMAT = "ward-kek/1";
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

  private final Path keysDir;
  private final AesGcmKeyset keyset;
  private final Argon2idKey passphraseKey;
  private final Argon2idParameters kdf;

  private KeyEncryptionKey(
      Path keysDir, AesGcmKeyset keyset, Argon2idKey passphraseKey, Argon2idParameters kdf) {
    this.keysDir = keysDir;
    this.keyset = keyset;
    this.passphraseKey = passphraseKey;
    this.kdf = kdf;
  }

  /** {@link #load(Path, char[], SecureRandom)} with a new system SecureRandom for the salt. */
  public static KeyEncryptionKey load(Path keysDir, char[] passphraseOrNull) {
    return load(keysDir, passphraseOrNull, new SecureRandom());
  }

  /**
   * Loads the KEK from {@code keysDir}, creating the directory and a new keyset on first use (with
   * a fresh Argon2id salt from {@code random} when a passphrase is given).
   *
   * @param passphraseOrNull WARD_MASTER_PASSPHRASE, or null for an unprotected key file
   * @throws WardException.KeyUnavailable wrong or missing passphrase, unreadable or corrupt file
   */
  public static KeyEncryptionKey load(Path keysDir, char[] passphraseOrNull, SecureRandom random) {
    Objects.requireNonNull(keysDir, "keysDir");
    Objects.requireNonNull(random, "random");
    Path file = keysDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      KeyEncryptionKey created = create(keysDir, passphraseOrNull, random);
      if (created != null) return created;
      // Another process created it first; load theirs.
    }
    return read(keysDir, passphraseOrNull);
  }

  private static KeyEncryptionKey create(Path keysDir, char[] passphrase, SecureRandom random) {
    AesGcmKeyset keyset = AesGcmKeyset.generate();
    Argon2idParameters kdf = passphrase == null ? null : Argon2idParameters.withFreshSalt(random);
    Argon2idKey pk = passphrase == null ? null : Argon2idKey.derive(passphrase, kdf);
    KeyEncryptionKey kek = new KeyEncryptionKey(keysDir, keyset, pk, kdf);
    try {
      createPrivateDirectory(keysDir);
      Path tmp = writeTemp(keysDir, kek.encode(keyset));
      try {
        // A hard link creates the name only if it is absent: two first starts cannot both win.
        Files.createLink(keysDir.resolve(FILE_NAME), tmp);
      } catch (FileAlreadyExistsException e) {
        return null;
      } finally {
        Files.deleteIfExists(tmp);
      }
      fsyncDirectory(keysDir);
      return kek;
    } catch (IOException e) {
      throw new WardException.KeyUnavailable(
          "could not create the key-encryption key in " + keysDir + ": " + describe(e));
    }
  }

  private static KeyEncryptionKey read(Path keysDir, char[] passphrase) {
    Path file = keysDir.resolve(FILE_NAME);
    String text;
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (!FILE_MODE.containsAll(mode)) {
        throw new WardException.KeyUnavailable(
            "the key-encryption key file " + file + " is accessible to other users ("
                + PosixFilePermissions.toString(mode) + "); run: chmod 600 " + file);
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new WardException.KeyUnavailable(
          "could not read the key-encryption key file " + file + ": " + describe(e));
    }
    JsonObject json;
    String protection;
    try {
      json = JsonParser.parseString(text).getAsJsonObject();
      if (!FORMAT.equals(json.get("format").getAsString())) throw new IllegalStateException();
      protection = json.get("protection").getAsString();
    } catch (RuntimeException e) {
      throw corrupt(file);
    }
    switch (protection) {
      case "none" -> {
        if (passphrase != null) {
          throw new WardException.KeyUnavailable(
              "the key-encryption key in " + file + " is not protected by a passphrase, but"
                  + " WARD_MASTER_PASSPHRASE is set; unset it to use this file");
        }
        try {
          AesGcmKeyset keyset = AesGcmKeyset.fromSecretJson(json.get("keyset").toString());
          return new KeyEncryptionKey(keysDir, keyset, null, null);
        } catch (GeneralSecurityException | RuntimeException e) {
          throw corrupt(file);
        }
      }
      case "argon2id" -> {
        if (passphrase == null) {
          throw new WardException.KeyUnavailable(
              "the key-encryption key in " + file + " is protected by a passphrase;"
                  + " set WARD_MASTER_PASSPHRASE");
        }
        Argon2idParameters kdf;
        String encrypted;
        try {
          JsonObject k = json.getAsJsonObject("kdf");
          kdf =
              new Argon2idParameters(
                  k.get("memoryKiB").getAsInt(),
                  k.get("iterations").getAsInt(),
                  k.get("parallelism").getAsInt(),
                  Base64.getDecoder().decode(k.get("salt").getAsString()));
          encrypted = json.get("keyset").toString();
        } catch (RuntimeException e) {
          throw corrupt(file);
        }
        Argon2idKey pk = Argon2idKey.derive(passphrase, kdf);
        try {
          AesGcmKeyset keyset = AesGcmKeyset.fromEncryptedJson(encrypted, pk, binding(kdf));
          return new KeyEncryptionKey(keysDir, keyset, pk, kdf);
        } catch (GeneralSecurityException | RuntimeException e) {
          // AES-GCM cannot tell a wrong key from altered bytes; the passphrase is the usual cause.
          throw new WardException.KeyUnavailable(
              "the passphrase in WARD_MASTER_PASSPHRASE does not open the key-encryption key in "
                  + file);
        }
      }
      default -> throw corrupt(file);
    }
  }

  /** Associated data of the encrypted keyset: the KDF parameters, so none can be swapped. */
  private static byte[] binding(Argon2idParameters kdf) {
    return Canonical.builder()
        .text("ward-kek")
        .number(1)
        .number(kdf.memoryKiB())
        .number(kdf.iterations())
        .number(kdf.parallelism())
        .bytes(kdf.salt())
        .encode();
  }

  private byte[] encode(AesGcmKeyset ks) {
    JsonObject json = new JsonObject();
    json.addProperty("format", FORMAT);
    if (passphraseKey == null) {
      json.addProperty("protection", "none");
      json.add("keyset", JsonParser.parseString(ks.toSecretJson()));
    } else {
      json.addProperty("protection", "argon2id");
      JsonObject k = new JsonObject();
      k.addProperty("memoryKiB", kdf.memoryKiB());
      k.addProperty("iterations", kdf.iterations());
      k.addProperty("parallelism", kdf.parallelism());
      k.addProperty("salt", Base64.getEncoder().encodeToString(kdf.salt()));
      json.add("kdf", k);
      json.add("keyset", JsonParser.parseString(ks.toEncryptedJson(passphraseKey, binding(kdf))));
    }
    return (json + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Replaces the key file with {@code next} (same protection) atomically: written to a 0600
   * temporary file, fsynced, renamed over the old one, directory fsynced. A crash leaves either the
   * old file or the new one, never a torn one. Returns the KEK for {@code next}.
   */
  KeyEncryptionKey persist(AesGcmKeyset next) {
    try {
      Path tmp = writeTemp(keysDir, encode(next));
      try {
        Files.move(
            tmp, keysDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      fsyncDirectory(keysDir);
    } catch (IOException e) {
      throw new WardException.KeyUnavailable(
          "could not write the key-encryption key in " + keysDir + ": " + describe(e));
    }
    return new KeyEncryptionKey(keysDir, next, passphraseKey, kdf);
  }

  static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) return;
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
    // The umask may have narrowed the mode given at creation; set it exactly.
    Files.setPosixFilePermissions(dir, DIR_MODE);
  }

  static Path writeTemp(Path dir, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(dir, ".kek-", ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) ch.write(buf);
      ch.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    } finally {
      Arrays.fill(content, (byte) 0);
    }
    return tmp;
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static String describe(IOException e) {
    return switch (e) {
      case AccessDeniedException a -> "permission denied";
      case NoSuchFileException n -> "no such file";
      default -> e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    };
  }

  private static WardException.KeyUnavailable corrupt(Path file) {
    return new WardException.KeyUnavailable(
        "the key-encryption key file " + file + " is corrupt or not a Ward key file");
  }

  /** True when the key file is encrypted under WARD_MASTER_PASSPHRASE; false means it is in the clear. */
  public boolean passphraseProtected() {
    return passphraseKey != null;
  }

  /** The directory holding the key file. */
  public Path keysDir() {
    return keysDir;
  }

  AesGcmKeyset keyset() {
    return keyset;
  }

  /** Wraps key material under the primary KEK key, bound to {@code associatedData}. */
  byte[] wrap(byte[] secret, byte[] associatedData) {
    return keyset.encrypt(secret, associatedData);
  }

  /** Unwraps; throws if the value was altered, moved, or wrapped by a key not in this KEK. */
  byte[] unwrap(byte[] wrapped, byte[] associatedData) throws GeneralSecurityException {
    return keyset.decrypt(wrapped, associatedData);
  }

  @Override
  public String toString() {
    return "KeyEncryptionKey[" + keysDir.resolve(FILE_NAME) + ", " + keyset
        + (passphraseKey == null ? ", unprotected" : ", passphrase-protected") + "]";
  }
}
