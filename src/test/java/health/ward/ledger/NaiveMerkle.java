package health.ward.ledger;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive RFC 9162 (section 2.1) reference: MTH, PATH and SUBPROOF written exactly as
 * the RFC's recursive definitions over the list of leaf inputs, recomputing every hash. Slow on
 * purpose; the fast code is checked against it.
 */
final class NaiveMerkle {
  private NaiveMerkle() {}

  /** MTH(D[n]). */
  static byte[] mth(List<byte[]> d) {
    int n = d.size();
    if (n == 0) return sha256(new byte[0]);
    if (n == 1) return sha256(concat(new byte[] {0}, d.get(0)));
    int k = largestPowerOfTwoBelow(n);
    return sha256(concat(new byte[] {1}, mth(d.subList(0, k)), mth(d.subList(k, n))));
  }

  /** PATH(m, D[n]). */
  static List<byte[]> path(int m, List<byte[]> d) {
    int n = d.size();
    List<byte[]> out = new ArrayList<>();
    if (n == 1) return out;
    int k = largestPowerOfTwoBelow(n);
    if (m < k) {
      out.addAll(path(m, d.subList(0, k)));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(path(m - k, d.subList(k, n)));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m < n. */
  static List<byte[]> proof(int m, List<byte[]> d) {
    return subproof(m, d, true);
  }

  /** SUBPROOF(m, D[n], b). */
  static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
    int n = d.size();
    List<byte[]> out = new ArrayList<>();
    if (m == n) {
      if (!b) out.add(mth(d));
      return out;
    }
    int k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      out.addAll(subproof(m, d.subList(0, k), b));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(subproof(m - k, d.subList(k, n), false));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  /** The largest power of two smaller than n, for n > 1: the RFC's k. */
  static int largestPowerOfTwoBelow(int n) {
    int k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int i = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, i, p.length);
      i += p.length;
    }
    return out;
  }
}
