package health.ward.ledger;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The head of the ledger's Merkle tree at one size: a C2SP tlog-checkpoint body
 * (https://c2sp.org/tlog-checkpoint), the text that a {@link CheckpointSigner} signs.
 *
 * <pre>
 * origin "\n"            the log's identity: non-empty, no control characters, no Unicode spaces
 * size "\n"              ASCII decimal, no leading zeros ("0" for the empty tree)
 * base64(rootHash) "\n"  standard base64 (RFC 4648 section 4) of the 32-byte RFC 9162 root
 * </pre>
 *
 * Ward writes no extension lines and {@link #parse} refuses them, so a body and a checkpoint
 * correspond one to one.
 */
public record Checkpoint(String origin, long size, byte[] rootHash) {
  /** Checks origin, size and root; copies the root. */
  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(rootHash, "rootHash");
    if (!isValidOrigin(origin)) {
      throw new IllegalArgumentException(
          "origin must be a non-empty line without control characters or spaces");
    }
    if (size < 0) throw new IllegalArgumentException("size must be >= 0, was " + size);
    if (rootHash.length != Merkle.HASH_LENGTH) {
      throw new IllegalArgumentException(
          "root hash must be " + Merkle.HASH_LENGTH + " bytes, was " + rootHash.length);
    }
    rootHash = rootHash.clone();
  }

  /** The checkpoint body text, three lines each ending in "\n". */
  public String body() {
    return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
  }

  /**
   * Parses a body made by {@link #body()}.
   *
   * @throws IllegalArgumentException saying which line is malformed
   */
  public static Checkpoint parse(String body) {
    Objects.requireNonNull(body, "body");
    if (!body.endsWith("\n")) throw new IllegalArgumentException("checkpoint body must end in a newline");
    String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
    if (lines.length != 3) {
      throw new IllegalArgumentException(
          "checkpoint body must have exactly 3 lines (origin, size, root), had " + lines.length);
    }
    if (!isValidOrigin(lines[0])) {
      throw new IllegalArgumentException("checkpoint origin line is empty or has spaces or control characters");
    }
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
      throw new IllegalArgumentException("checkpoint size line is not a decimal number without leading zeros");
    }
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("checkpoint size is too large");
    }
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("checkpoint root line is not base64");
    }
    if (root.length != Merkle.HASH_LENGTH
        || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
      throw new IllegalArgumentException("checkpoint root line is not the base64 of a 32-byte hash");
    }
    return new Checkpoint(lines[0], size, root);
  }

  /** A copy of the root hash. */
  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  static boolean isValidOrigin(String origin) {
    if (origin.isEmpty()) return false;
    for (int i = 0; i < origin.length(); ) {
      int cp = origin.codePointAt(i);
      if ((cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)
          || Character.isISOControl(cp)
          || Character.isWhitespace(cp)
          || Character.isSpaceChar(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && c.origin.equals(origin)
        && c.size == size
        && MessageDigest.isEqual(c.rootHash, rootHash);
  }

  @Override
  public int hashCode() {
    return (origin.hashCode() * 31 + Long.hashCode(size)) * 31 + Arrays.hashCode(rootHash);
  }

  @Override
  public String toString() {
    return "Checkpoint[" + origin + ", size=" + size + ", root=" + HexFormat.of().formatHex(rootHash) + "]";
  }
}
