package health.ward.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a growing Merkle tree: the roots of the perfect subtrees that make up leaves
 * {@code [0, size)}, one per set bit of {@code size}, largest first. Appending a leaf merges equal
 * subtrees and reports every perfect subtree it completed, which is what storage keeps. Pure; not
 * thread-safe.
 */
public final class CompactRange {
  /** A perfect subtree, named as in {@link Merkle}. */
  public record Node(int level, long index, byte[] hash) {}

  private long size;
  private final List<byte[]> peaks = new ArrayList<>();

  /** An empty tree. */
  public CompactRange() {}

  /** The range of a tree of {@code size} leaves, reading its peaks from {@code hashes}. */
  public static CompactRange of(long size, SubtreeHashes hashes) {
    if (size < 0) throw new IllegalArgumentException("size must be >= 0, was " + size);
    CompactRange r = new CompactRange();
    long start = 0;
    for (int level = 63; level >= 0; level--) {
      if ((size & (1L << level)) != 0) {
        r.peaks.add(hashes.hash(level, start >>> level).clone());
        start += 1L << level;
      }
    }
    r.size = size;
    return r;
  }

  /** Number of leaves. */
  public long size() {
    return size;
  }

  /**
   * Appends a leaf hash and returns the perfect subtrees it completed, level 0 (the leaf) first:
   * {@link Merkle#completedLevels} of them.
   */
  public List<Node> append(byte[] leafHash) {
    return append(leafHash, null);
  }

  List<Node> append(byte[] leafHash, Merkle.Hasher hasher) {
    if (leafHash.length != Merkle.HASH_LENGTH) {
      throw new IllegalArgumentException("leaf hash must be " + Merkle.HASH_LENGTH + " bytes");
    }
    long index = size;
    int levels = Merkle.completedLevels(index);
    List<Node> completed = new ArrayList<>(levels);
    byte[] hash = leafHash.clone();
    completed.add(new Node(0, index, hash));
    for (int level = 1; level < levels; level++) {
      byte[] left = peaks.removeLast();
      hash = hasher == null ? Merkle.nodeHash(left, hash) : hasher.node(left, hash);
      completed.add(new Node(level, index >>> level, hash));
    }
    peaks.add(hash);
    size++;
    return completed;
  }

  /** The RFC 9162 root hash of leaves {@code [0, size)}. */
  public byte[] root() {
    if (peaks.isEmpty()) return Merkle.emptyRoot();
    byte[] acc = peaks.getLast();
    for (int i = peaks.size() - 2; i >= 0; i--) acc = Merkle.nodeHash(peaks.get(i), acc);
    return acc.clone();
  }

  /** A copy that grows independently. */
  public CompactRange copy() {
    CompactRange r = new CompactRange();
    r.size = size;
    r.peaks.addAll(peaks);
    return r;
  }
}
