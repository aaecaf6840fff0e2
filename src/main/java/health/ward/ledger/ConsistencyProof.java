package health.ward.ledger;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An RFC 9162 (section 2.1.4) consistency proof: the hashes that show the tree of {@code from}
 * leaves is a prefix of the tree of {@code to} leaves.
 *
 * <p>RFC 9162 defines proofs for {@code 0 < from < to}. Ward adds the two trivial cases with an
 * empty proof: {@code from == to} (consistent when the roots are equal) and {@code from == 0}
 * (consistent with every tree, provided the old root is the empty root {@code SHA-256("")}; note
 * that this says nothing about the new root). transparency-dev/merkle refuses {@code from == 0} as
 * meaningless; a caller that needs the new root checked must not rely on that case.
 *
 * <p>The record holds a proof as received: its constructor checks only that nothing is null and
 * copies every array. {@link #verify} returns false for a malformed proof and never throws.
 */
public record ConsistencyProof(long from, long to, List<byte[]> hashes) {
  /** Copies the hashes; rejects only nulls. */
  public ConsistencyProof {
    hashes = InclusionProof.copy(hashes);
  }

  /**
   * The proof that the tree of {@code from} leaves is a prefix of the tree of {@code to} leaves:
   * PROOF(from, D[to]) = SUBPROOF(from, D[to], true) of RFC 9162 section 2.1.4.1, empty when {@code
   * from} is 0 or equals {@code to}. Reads O(log to) perfect-subtree hashes.
   *
   * @throws IllegalArgumentException unless {@code 0 <= from <= to}
   */
  public static ConsistencyProof prove(long from, long to, SubtreeHashes hashes) {
    if (from < 0 || from > to) {
      throw new IllegalArgumentException(
          "consistency needs 0 <= from <= to, was from " + from + ", to " + to);
    }
    List<byte[]> proof = new ArrayList<>(64);
    if (from > 0 && from < to) subproof(from, 0, to, true, hashes, proof);
    return new ConsistencyProof(from, to, proof);
  }

  // SUBPROOF(m, D[begin:end], b) of RFC 9162, m counted from begin, MTH read from stored subtrees.
  private static void subproof(
      long m, long begin, long end, boolean b, SubtreeHashes hashes, List<byte[]> out) {
    long n = end - begin;
    if (m == n) {
      if (!b) out.add(Merkle.rangeHash(begin, end, hashes));
      return;
    }
    long k = Merkle.splitPoint(n);
    if (m <= k) {
      subproof(m, begin, begin + k, b, hashes, out);
      out.add(Merkle.rangeHash(begin + k, end, hashes));
    } else {
      subproof(m - k, begin + k, end, false, hashes, out);
      out.add(Merkle.rangeHash(begin, begin + k, hashes));
    }
  }

  /**
   * True when this proof shows that the tree of {@code from} leaves with root {@code fromRoot} is a
   * prefix of the tree of {@code to} leaves with root {@code toRoot}, by the verification algorithm
   * of RFC 9162 section 2.1.4.2 (and the trivial cases described on the class). False for any
   * malformed proof or argument; never throws.
   */
  public boolean verify(byte[] fromRoot, byte[] toRoot) {
    if (!isHash(fromRoot) || !isHash(toRoot) || from < 0 || from > to) return false;
    if (from == to) return hashes.isEmpty() && MessageDigest.isEqual(fromRoot, toRoot);
    if (from == 0) return hashes.isEmpty() && MessageDigest.isEqual(fromRoot, Merkle.emptyRoot());
    try {
      byte[][] roots = rootsFrom(fromRoot);
      return MessageDigest.isEqual(roots[0], fromRoot) && MessageDigest.isEqual(roots[1], toRoot);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  // Steps 1 to 6 of RFC 9162 section 2.1.4.2: {fr, sr}, or IllegalArgumentException when malformed.
  private byte[][] rootsFrom(byte[] fromRoot) {
    List<byte[]> path = new ArrayList<>(hashes.size() + 1);
    if (hashes.isEmpty()) throw new IllegalArgumentException("empty proof");
    if (Long.bitCount(from) == 1) path.add(fromRoot);
    path.addAll(hashes);
    long fn = from - 1;
    long sn = to - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = path.getFirst();
    byte[] sr = path.getFirst();
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) throw new IllegalArgumentException("proof is too long");
      if ((fn & 1) == 1 || fn == sn) {
        fr = Merkle.nodeHash(c, fr);
        sr = Merkle.nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = Merkle.nodeHash(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) throw new IllegalArgumentException("proof is too short");
    if (!isHash(fr) || !isHash(sr)) throw new IllegalArgumentException("not a hash");
    return new byte[][] {fr, sr};
  }

  private static boolean isHash(byte[] b) {
    return b != null && b.length == Merkle.HASH_LENGTH;
  }

  /** Copies of the proof hashes, in RFC 9162 order. */
  @Override
  public List<byte[]> hashes() {
    return InclusionProof.copy(hashes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsistencyProof p
        && p.from == from
        && p.to == to
        && InclusionProof.sameHashes(p.hashes, hashes);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(from) * 31 + Long.hashCode(to);
    for (byte[] b : hashes) h = h * 31 + Arrays.hashCode(b);
    return h;
  }

  @Override
  public String toString() {
    return "ConsistencyProof[from=" + from + ", to=" + to + ", hashes=" + hashes.size() + "]";
  }
}
