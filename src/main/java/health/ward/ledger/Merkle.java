package health.ward.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash functions of an RFC 9162 (section 2.1.1) Merkle tree with SHA-256, pure functions
 * without I/O: {@code leaf = SHA-256(0x00 || entry)}, {@code node = SHA-256(0x01 || left || right)},
 * and the root of the empty tree is {@code SHA-256("")}.
 *
 * <p>Ward names a perfect subtree by {@code (level, index)}: it covers leaves {@code [index << level,
 * (index + 1) << level)}; level 0 is a single leaf.
 */
public final class Merkle {
  /** Length of every hash, in bytes. */
  public static final int HASH_LENGTH = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private Merkle() {}

  /** {@code SHA-256(0x00 || entry)}. */
  public static byte[] leafHash(byte[] entry) {
    MessageDigest d = sha256();
    d.update(LEAF_PREFIX);
    d.update(entry);
    return d.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    if (left.length != HASH_LENGTH || right.length != HASH_LENGTH) {
      throw new IllegalArgumentException("node children must be " + HASH_LENGTH + "-byte hashes");
    }
    MessageDigest d = sha256();
    d.update(NODE_PREFIX);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  /** The root of the empty tree, {@code SHA-256("")} (a fresh array). */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  /**
   * Number of perfect subtrees completed by appending leaf {@code index}: levels {@code 0 ..
   * completedLevels(index) - 1}, that is one more than the trailing one bits of {@code index}.
   */
  public static int completedLevels(long index) {
    if (index < 0) throw new IllegalArgumentException("index must be >= 0, was " + index);
    return Long.numberOfTrailingZeros(index + 1) + 1;
  }

  /**
   * Number of perfect-subtree hashes completed by the leaves {@code [0, size)}: the sum of {@link
   * #completedLevels} over them, {@code 2 * size - popcount(size)}.
   */
  public static long completedNodes(long size) {
    if (size < 0) throw new IllegalArgumentException("size must be >= 0, was " + size);
    return 2 * size - Long.bitCount(size);
  }

  /**
   * The same functions on one reused digest, for loops that hash millions of entries; not
   * thread-safe.
   */
  static final class Hasher {
    private final MessageDigest d = sha256();

    byte[] leaf(byte[] entry) {
      d.update(LEAF_PREFIX);
      d.update(entry);
      return d.digest();
    }

    byte[] leaf(byte[] bytes, int offset, int length) {
      d.update(LEAF_PREFIX);
      d.update(bytes, offset, length);
      return d.digest();
    }

    byte[] node(byte[] left, byte[] right) {
      d.update(NODE_PREFIX);
      d.update(left);
      d.update(right);
      return d.digest();
    }
  }

  /**
   * The RFC 9162 root hash of leaves {@code [0, size)}, read from {@code size}'s perfect subtrees
   * (one per set bit of {@code size}, so at most 64 reads); the empty root for size 0.
   */
  public static byte[] rootOf(long size, SubtreeHashes hashes) {
    return CompactRange.of(size, hashes).root();
  }

  /**
   * MTH of leaves {@code [begin, end)}, {@code begin < end}, from the perfect subtrees that make
   * them up, largest first: one read when the range is a perfect subtree, at most 64 otherwise.
   * Requires {@code begin} to be a multiple of the largest power of two not above {@code end -
   * begin}, which holds for every range RFC 9162's PATH and SUBPROOF split off.
   */
  static byte[] rangeHash(long begin, long end, SubtreeHashes hashes) {
    long n = end - begin;
    if (begin < 0 || n <= 0) {
      throw new IllegalArgumentException("not a range of leaves: [" + begin + ", " + end + ")");
    }
    int top = 63 - Long.numberOfLeadingZeros(n);
    if ((begin & ((1L << top) - 1)) != 0) {
      throw new IllegalArgumentException("range [" + begin + ", " + end + ") is not aligned");
    }
    byte[][] peaks = new byte[Long.bitCount(n)][];
    long start = begin;
    int i = 0;
    for (int level = top; level >= 0; level--) {
      if ((n & (1L << level)) != 0) {
        peaks[i++] = hashes.hash(level, start >>> level);
        start += 1L << level;
      }
    }
    byte[] acc = peaks[peaks.length - 1].clone();
    for (int j = peaks.length - 2; j >= 0; j--) acc = nodeHash(peaks[j], acc);
    return acc;
  }

  /** The largest power of two strictly below {@code n}, for {@code n > 1} (RFC 9162's k). */
  static long splitPoint(long n) {
    return Long.highestOneBit(n - 1);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java platform has SHA-256", e);
    }
  }
}
