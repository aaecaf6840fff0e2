package health.ward.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The ledger's hash maths, pure functions without I/O. Leaves follow RFC 9162 section 2.1.1:
 * {@code leaf = SHA-256(0x00 || entry)}. Leaves are chained with the RFC 9162 node prefix:
 * {@code chain_i = SHA-256(0x01 || chain_(i-1) || leaf_i)}, with {@code chain_(-1)} 32 zero bytes.
 * The chain head therefore commits to every entry and its position.
 */
final class HashChain {
  static final int HASH_LENGTH = 32;
  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private HashChain() {}

  /** The chain value before the first entry: 32 zero bytes (a fresh array). */
  static byte[] start() {
    return new byte[HASH_LENGTH];
  }

  /** {@code SHA-256(0x00 || entry)}. */
  static byte[] leafHash(byte[] entry) {
    MessageDigest d = sha256();
    d.update(LEAF_PREFIX);
    d.update(entry);
    return d.digest();
  }

  /** {@code SHA-256(0x01 || previous || leaf)}. */
  static byte[] next(byte[] previous, byte[] leaf) {
    if (previous.length != HASH_LENGTH || leaf.length != HASH_LENGTH) {
      throw new IllegalArgumentException("chain and leaf hashes must be " + HASH_LENGTH + " bytes");
    }
    MessageDigest d = sha256();
    d.update(NODE_PREFIX);
    d.update(previous);
    d.update(leaf);
    return d.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
  }
}
