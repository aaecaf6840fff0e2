package health.ward.ledger;

/**
 * Where stored perfect-subtree hashes come from (the database, or memory in tests). Proof and root
 * computations ask only for subtrees inside the tree they are about, so an implementation may
 * refuse anything beyond its size.
 */
@FunctionalInterface
public interface SubtreeHashes {
  /**
   * The hash of the perfect subtree at {@code level} covering leaves {@code [index << level, (index +
   * 1) << level)}: the leaf hash at level 0. Throws {@link health.ward.common.WardException} if it
   * cannot be read.
   */
  byte[] hash(int level, long index);
}
