package health.ward.keys;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import health.ward.common.Canonical;
import health.ward.common.WardException;
import health.ward.crypto.AesGcmKeyset;
import health.ward.crypto.Ed25519SigningKey;
import health.ward.crypto.NoteVerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;

/**
 * The ledger's checkpoint signing key: an Ed25519 key in {@code <keysDir>/checkpoint-key.json},
 * apart from the data keys, its private half wrapped under the key-encryption key.
 *
 * <p>On disk (owner-only: directory 0700, file 0600, created and replaced atomically):
 *
 * <pre>
 * { "format": "ward-checkpoint-key/1",
 *   "name": key name (the signed-note key name, usually the log origin),
 *   "publicKey": base64(32-byte Ed25519 public key),
 *   "wrappedPrivateKey": base64(KEK AEAD of the 32-byte RFC 8032 seed,
 *                          associated data Canonical("ward-checkpoint-key", 1, name, publicKey)) }
 * </pre>
 *
 * The public half is in the clear so that {@link #verifierKey(Path)} serves readers that hold no
 * KEK. Binding name and public key into the associated data means neither can be swapped without
 * the private key failing to open. Every failure to load is a {@link WardException.KeyUnavailable}
 * whose message names the file and the fix, never key bytes.
 */
public final class CheckpointKey {
  static final String FILE_NAME = "checkpoint-key.json";
  private static final String FORMAT = "ward-checkpoint-key/1";

  private final String keyName;
  private final Ed25519SigningKey key;

  private CheckpointKey(String keyName, Ed25519SigningKey key) {
    this.keyName = keyName;
    this.key = key;
  }

  /**
   * Loads the checkpoint key from {@code keysDir}, creating it (from {@code random}) on first use.
   *
   * @param keyName the signed-note key name; must match the name of an existing key
   * @throws IllegalArgumentException {@code keyName} is not a valid key name (non-empty, no spaces,
   *     control characters or '+')
   * @throws WardException.KeyUnavailable unreadable, corrupt or foreign file; another key name; a
   *     KEK that does not open it
   */
  public static CheckpointKey loadOrCreate(
      Path keysDir, KeyEncryptionKey kek, String keyName, SecureRandom random) {
    Objects.requireNonNull(keysDir, "keysDir");
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(random, "random");
    if (!NoteVerifierKey.isValidKeyName(keyName)) {
      throw new IllegalArgumentException(
          "a checkpoint key name must be non-empty, without spaces, control characters or '+'");
    }
    Path file = keysDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      CheckpointKey created = create(keysDir, kek, keyName, random);
      if (created != null) return created;
      // Another process created it first; load theirs.
    }
    CheckpointKey loaded = open(keysDir, kek);
    if (!loaded.keyName.equals(keyName)) {
      throw new WardException.KeyUnavailable(
          "the checkpoint key in " + file + " is named " + loaded.keyName + ", not " + keyName
              + "; use that name, or move the file away to make a new key (checkpoints signed"
              + " before stay verifiable with the old verifier key)");
    }
    return loaded;
  }

  /**
   * The verifier key string of the checkpoint key in {@code keysDir}, read from the public half
   * alone: for readers without the KEK, such as the verify command.
   *
   * @throws WardException.KeyUnavailable no such file, unreadable or corrupt
   */
  public static String verifierKey(Path keysDir) {
    Path file = keysDir.resolve(FILE_NAME);
    Stored s = read(file);
    try {
      return new NoteVerifierKey(s.name, s.publicKey).encode();
    } catch (IllegalArgumentException e) {
      throw corrupt(file);
    }
  }

  /**
   * Rewraps the private key, if there is a checkpoint key, under the primary key of {@code kek}:
   * step 2 of a KEK rotation, before the old key is dropped. Replaces the file atomically.
   */
  static void rewrap(Path keysDir, KeyEncryptionKey kek) {
    if (!Files.exists(keysDir.resolve(FILE_NAME))) return;
    CheckpointKey current = open(keysDir, kek);
    try {
      Path tmp = KeyEncryptionKey.writeTemp(keysDir, current.encode(kek));
      try {
        Files.move(
            tmp, keysDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      KeyEncryptionKey.fsyncDirectory(keysDir);
    } catch (IOException e) {
      throw new WardException.KeyUnavailable(
          "could not rewrite the checkpoint key in " + keysDir + ": " + KeyEncryptionKey.describe(e));
    }
  }

  /**
   * True when there is no checkpoint key, or its private key opens under {@code keyset} alone:
   * step 3 of a KEK rotation, before the old key is dropped.
   */
  static boolean opensUnder(Path keysDir, AesGcmKeyset keyset) {
    Path file = keysDir.resolve(FILE_NAME);
    if (!Files.exists(file)) return true;
    Stored s = read(file);
    try {
      Arrays.fill(keyset.decrypt(s.wrapped, binding(s.name, s.publicKey)), (byte) 0);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static CheckpointKey create(
      Path keysDir, KeyEncryptionKey kek, String keyName, SecureRandom random) {
    CheckpointKey key = new CheckpointKey(keyName, Ed25519SigningKey.generate(random));
    try {
      KeyEncryptionKey.createPrivateDirectory(keysDir);
      Path tmp = KeyEncryptionKey.writeTemp(keysDir, key.encode(kek));
      try {
        // A hard link creates the name only if it is absent: two first starts cannot both win.
        Files.createLink(keysDir.resolve(FILE_NAME), tmp);
      } catch (FileAlreadyExistsException e) {
        return null;
      } finally {
        Files.deleteIfExists(tmp);
      }
      KeyEncryptionKey.fsyncDirectory(keysDir);
      return key;
    } catch (IOException e) {
      throw new WardException.KeyUnavailable(
          "could not create the checkpoint key in " + keysDir + ": " + KeyEncryptionKey.describe(e));
    }
  }

  private static CheckpointKey open(Path keysDir, KeyEncryptionKey kek) {
    Path file = keysDir.resolve(FILE_NAME);
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (!KeyEncryptionKey.FILE_MODE.containsAll(mode)) {
        throw new WardException.KeyUnavailable(
            "the checkpoint key file " + file + " is accessible to other users ("
                + PosixFilePermissions.toString(mode) + "); run: chmod 600 " + file);
      }
    } catch (IOException e) {
      throw new WardException.KeyUnavailable(
          "could not read the checkpoint key file " + file + ": " + KeyEncryptionKey.describe(e));
    }
    Stored s = read(file);
    byte[] seed;
    try {
      seed = kek.unwrap(s.wrapped, binding(s.name, s.publicKey));
    } catch (GeneralSecurityException | RuntimeException e) {
      // AES-GCM cannot tell a wrong key from altered bytes; another KEK is the usual cause.
      throw new WardException.KeyUnavailable(
          "the key-encryption key does not open the checkpoint key in " + file + "; restore the"
              + " kek.json it was made with, or move the file away to make a new key");
    }
    try {
      Ed25519SigningKey key = Ed25519SigningKey.fromSecretSeed(seed);
      if (!MessageDigest.isEqual(key.publicKey(), s.publicKey)
          || !NoteVerifierKey.isValidKeyName(s.name)) {
        throw corrupt(file);
      }
      return new CheckpointKey(s.name, key);
    } catch (GeneralSecurityException e) {
      throw corrupt(file);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  private record Stored(String name, byte[] publicKey, byte[] wrapped) {}

  private static Stored read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new WardException.KeyUnavailable(
          "there is no checkpoint key file " + file + "; start Ward once to create it, or give the"
              + " keys directory it was made in");
    } catch (IOException e) {
      throw new WardException.KeyUnavailable(
          "could not read the checkpoint key file " + file + ": " + KeyEncryptionKey.describe(e));
    }
    try {
      JsonObject json = JsonParser.parseString(text).getAsJsonObject();
      if (!FORMAT.equals(json.get("format").getAsString())) throw new IllegalStateException();
      Stored s =
          new Stored(
              json.get("name").getAsString(),
              Base64.getDecoder().decode(json.get("publicKey").getAsString()),
              Base64.getDecoder().decode(json.get("wrappedPrivateKey").getAsString()));
      if (s.publicKey.length != Ed25519SigningKey.KEY_LENGTH) throw new IllegalStateException();
      return s;
    } catch (RuntimeException e) {
      throw corrupt(file);
    }
  }

  /** Associated data of the wrapped private key: format version, key name and public key. */
  private static byte[] binding(String name, byte[] publicKey) {
    return Canonical.builder()
        .text("ward-checkpoint-key")
        .number(1)
        .text(name)
        .bytes(publicKey)
        .encode();
  }

  private byte[] encode(KeyEncryptionKey kek) {
    byte[] publicKey = key.publicKey();
    byte[] seed = key.toSecretSeed();
    try {
      JsonObject json = new JsonObject();
      json.addProperty("format", FORMAT);
      json.addProperty("name", keyName);
      json.addProperty("publicKey", Base64.getEncoder().encodeToString(publicKey));
      json.addProperty(
          "wrappedPrivateKey",
          Base64.getEncoder().encodeToString(kek.wrap(seed, binding(keyName, publicKey))));
      return (json + "\n").getBytes(StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  private static WardException.KeyUnavailable corrupt(Path file) {
    return new WardException.KeyUnavailable(
        "the checkpoint key file " + file + " is corrupt or not a Ward checkpoint key file");
  }

  /** The signed-note key name. */
  public String keyName() {
    return keyName;
  }

  /** The Ed25519 key that signs checkpoints. */
  public Ed25519SigningKey signingKey() {
    return key;
  }

  /** The public half with its name. */
  public NoteVerifierKey publicKey() {
    return NoteVerifierKey.of(keyName, key);
  }

  /** The verifier key string, {@code <name>+<key id>+<base64(0x01 || public key)>}. */
  public String verifierKey() {
    return publicKey().encode();
  }

  @Override
  public String toString() {
    return "CheckpointKey[" + verifierKey() + "]";
  }
}
