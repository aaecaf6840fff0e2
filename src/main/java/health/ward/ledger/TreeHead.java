package health.ward.ledger;

import java.util.Arrays;
import java.util.HexFormat;

/** The size of the ledger's Merkle tree and its RFC 9162 root hash at that size. */
public record TreeHead(long size, byte[] root) {
  public TreeHead {
    if (size < 0) throw new IllegalArgumentException("size must be >= 0, was " + size);
    if (root.length != Merkle.HASH_LENGTH) {
      throw new IllegalArgumentException("root must be " + Merkle.HASH_LENGTH + " bytes");
    }
    root = root.clone();
  }

  /** The empty tree. */
  public static TreeHead empty() {
    return new TreeHead(0, Merkle.emptyRoot());
  }

  @Override
  public byte[] root() {
    return root.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TreeHead t && t.size == size && Arrays.equals(t.root, root);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(size) * 31 + Arrays.hashCode(root);
  }

  @Override
  public String toString() {
    return "TreeHead[size=" + size + ", root=" + HexFormat.of().formatHex(root) + "]";
  }
}
