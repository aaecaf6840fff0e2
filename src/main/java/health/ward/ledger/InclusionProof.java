package health.ward.ledger;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An RFC 9162 (section 2.1.3) inclusion proof: the sibling hashes on the path from leaf {@code
 * index} to the root of the tree of {@code size} leaves, deepest first.
 *
 * <p>The record holds a proof as received: its constructor checks only that nothing is null and
 * copies every array, so a proof read from untrusted input can always be built. Whether it is
 * well-formed is decided by {@link #verify}, which returns false for a malformed proof and never
 * throws.
 */
public record InclusionProof(long index, long size, List<byte[]> hashes) {
  /** Copies the hashes; rejects only nulls. */
  public InclusionProof {
    hashes = copy(hashes);
  }

  /**
   * The proof that leaf {@code index} is in the tree of {@code size} leaves, PATH(index, D[size])
   * of RFC 9162 section 2.1.3.1. Reads O(log size) perfect-subtree hashes: one per proof element,
   * except the single right-edge sibling that is not a perfect subtree, which is computed from at
   * most 64 perfect ones.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size}
   */
  public static InclusionProof prove(long index, long size, SubtreeHashes hashes) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException(
          "leaf index must be in [0, size), was " + index + " for size " + size);
    }
    List<byte[]> path = new ArrayList<>(64);
    path(index, 0, size, hashes, path);
    return new InclusionProof(index, size, path);
  }

  // PATH(m, D[begin:end]) of RFC 9162, with MTH read from stored subtrees instead of recomputed.
  private static void path(long m, long begin, long end, SubtreeHashes hashes, List<byte[]> out) {
    long n = end - begin;
    if (n == 1) return;
    long k = Merkle.splitPoint(n);
    if (m < begin + k) {
      path(m, begin, begin + k, hashes, out);
      out.add(Merkle.rangeHash(begin + k, end, hashes));
    } else {
      path(m, begin + k, end, hashes, out);
      out.add(Merkle.rangeHash(begin, begin + k, hashes));
    }
  }

  /**
   * The root this proof yields for {@code leafHash}, by the verification algorithm of RFC 9162
   * section 2.1.3.2 without its final comparison.
   *
   * @throws IllegalArgumentException the proof is malformed for its index and size (too short,
   *     too long, index not below size) or a hash is not 32 bytes
   */
  public byte[] rootFrom(byte[] leafHash) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("leaf index " + index + " is not below size " + size);
    }
    if (leafHash == null || leafHash.length != Merkle.HASH_LENGTH) {
      throw new IllegalArgumentException("leaf hash must be " + Merkle.HASH_LENGTH + " bytes");
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash.clone();
    for (byte[] p : hashes) {
      if (sn == 0) throw new IllegalArgumentException("proof is too long for size " + size);
      if ((fn & 1) == 1 || fn == sn) {
        r = Merkle.nodeHash(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        r = Merkle.nodeHash(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) throw new IllegalArgumentException("proof is too short for size " + size);
    return r;
  }

  /**
   * True when this proof shows that {@code leafHash} is leaf {@code index} of the tree of {@code
   * size} leaves whose root is {@code root}. False for any malformed proof or argument; never
   * throws.
   */
  public boolean verify(byte[] leafHash, byte[] root) {
    if (root == null || root.length != Merkle.HASH_LENGTH) return false;
    try {
      return MessageDigest.isEqual(rootFrom(leafHash), root);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Copies of the proof hashes, deepest first. */
  @Override
  public List<byte[]> hashes() {
    return copy(hashes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InclusionProof p
        && p.index == index
        && p.size == size
        && sameHashes(p.hashes, hashes);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(index) * 31 + Long.hashCode(size);
    for (byte[] b : hashes) h = h * 31 + Arrays.hashCode(b);
    return h;
  }

  @Override
  public String toString() {
    return "InclusionProof[index=" + index + ", size=" + size + ", hashes=" + hashes.size() + "]";
  }

  static List<byte[]> copy(List<byte[]> hashes) {
    return hashes.stream().map(byte[]::clone).toList();
  }

  static boolean sameHashes(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) return false;
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) return false;
    }
    return true;
  }
}
