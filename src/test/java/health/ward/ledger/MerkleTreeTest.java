package health.ward.ledger;

import static health.ward.ledger.Rfc6962Vectors.HEX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Roots and the compact range against the published vectors and the naive reference. */
class MerkleTreeTest {
  static List<byte[]> entries(int n, long seed) {
    Random random = new Random(seed);
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] e = new byte[random.nextInt(40)];
      random.nextBytes(e);
      out.add(e);
    }
    return out;
  }

  @Test
  void rootOf_publishedLeaves_matchesPublishedRootForEverySize() {
    MemoryTree tree = MemoryTree.of(Rfc6962Vectors.LEAVES);
    for (int size = 0; size <= 8; size++) {
      assertEquals(
          Rfc6962Vectors.ROOTS.get(size),
          HEX.formatHex(Merkle.rootOf(size, tree.limitedTo(size))),
          "size " + size);
    }
  }

  @Test
  void emptyRoot_isThePublishedVector() {
    assertEquals(Rfc6962Vectors.ROOTS.get(0), HEX.formatHex(Merkle.emptyRoot()));
  }

  @Test
  void append_publishedLeaves_storesThePublishedNodeHashes() {
    MemoryTree tree = MemoryTree.of(Rfc6962Vectors.LEAVES);
    for (int level = 0; level < Rfc6962Vectors.NODES.length; level++) {
      for (int index = 0; index < Rfc6962Vectors.NODES[level].length; index++) {
        assertEquals(
            Rfc6962Vectors.NODES[level][index],
            HEX.formatHex(tree.hash(level, index)),
            "node (" + level + ", " + index + ")");
      }
    }
  }

  @Test
  void compactRange_ofAndAppend_giveTheNaiveRootForEverySizeUpTo130() {
    List<byte[]> entries = entries(130, 1);
    MemoryTree tree = new MemoryTree();
    assertArrayEquals(NaiveMerkle.mth(List.of()), tree.range().root());
    for (int size = 1; size <= 130; size++) {
      tree.append(entries.get(size - 1));
      byte[] naive = NaiveMerkle.mth(entries.subList(0, size));
      assertArrayEquals(naive, tree.range().root(), "append, size " + size);
      assertArrayEquals(naive, CompactRange.of(size, tree.limitedTo(size)).root(), "of, size " + size);
      assertEquals(Long.bitCount(size), tree.reads(), "one read per peak, size " + size);
      assertArrayEquals(naive, Merkle.rootOf(size, tree.limitedTo(size)), "rootOf, size " + size);
    }
  }

  @Test
  void compactRange_ofThenAppend_continuesLikeTheOriginal() {
    List<byte[]> entries = entries(70, 2);
    MemoryTree tree = MemoryTree.of(entries);
    for (int size = 0; size <= 60; size++) {
      CompactRange resumed = CompactRange.of(size, tree.limitedTo(size));
      for (int i = size; i < 70; i++) resumed.append(Merkle.leafHash(entries.get(i)));
      assertArrayEquals(NaiveMerkle.mth(entries), resumed.root(), "resumed at " + size);
    }
  }
}
