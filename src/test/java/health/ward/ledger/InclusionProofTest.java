package health.ward.ledger;

import static health.ward.ledger.Rfc6962Vectors.HEX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InclusionProofTest {
  static void assertSameHashes(List<byte[]> expected, List<byte[]> actual, String what) {
    assertEquals(
        expected.stream().map(HEX::formatHex).toList(),
        actual.stream().map(HEX::formatHex).toList(),
        what);
  }

  static int ceilLog2(long n) {
    return n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1);
  }

  @Test
  void prove_matchesNaivePath_forEveryIndexOfEverySizeUpTo130() {
    List<byte[]> entries = MerkleTreeTest.entries(130, 3);
    MemoryTree tree = MemoryTree.of(entries);
    for (int size = 1; size <= 130; size++) {
      List<byte[]> d = entries.subList(0, size);
      byte[] root = NaiveMerkle.mth(d);
      for (int index = 0; index < size; index++) {
        InclusionProof proof = InclusionProof.prove(index, size, tree.limitedTo(size));
        String what = "index " + index + ", size " + size;
        assertTrue(tree.reads() <= 2 * ceilLog2(size), what + ": " + tree.reads() + " reads");
        assertSameHashes(NaiveMerkle.path(index, d), proof.hashes(), what);
        byte[] leaf = Merkle.leafHash(entries.get(index));
        assertTrue(proof.verify(leaf, root), what);
        assertArrayEquals(root, proof.rootFrom(leaf), what);
      }
    }
  }

  @Test
  void prove_matchesNaivePath_forRandomLargerTrees() {
    Random random = new Random(4);
    List<byte[]> entries = MerkleTreeTest.entries(3000, 5);
    MemoryTree tree = MemoryTree.of(entries);
    for (int i = 0; i < 60; i++) {
      int size = 131 + random.nextInt(entries.size() - 130);
      int index = random.nextInt(size);
      List<byte[]> d = entries.subList(0, size);
      InclusionProof proof = InclusionProof.prove(index, size, tree.limitedTo(size));
      assertSameHashes(NaiveMerkle.path(index, d), proof.hashes(), index + " of " + size);
      assertTrue(proof.verify(Merkle.leafHash(entries.get(index)), NaiveMerkle.mth(d)));
    }
  }

  @Test
  void prove_inAHugeTree_readsLogarithmicallyMany() {
    List<String> reads = new ArrayList<>();
    long size = (1L << 40) + 12345;
    SubtreeHashes counting =
        (level, index) -> {
          assertTrue((index + 1) << level <= size, "read beyond the tree");
          reads.add(level + "/" + index);
          return new byte[32];
        };
    InclusionProof edge = InclusionProof.prove(size - 3, size, counting);
    assertTrue(edge.hashes().size() <= 41);
    assertTrue(reads.size() <= 2 * 41, reads.size() + " reads");
    reads.clear();
    InclusionProof left = InclusionProof.prove(7, size, counting);
    assertEquals(41, left.hashes().size());
    assertTrue(reads.size() <= 2 * 41, reads.size() + " reads");
  }

  @Test
  void verify_publishedVectors_succeed() {
    for (Rfc6962Vectors.Vector v : Rfc6962Vectors.INCLUSION) {
      InclusionProof proof = new InclusionProof(v.a(), v.size(), v.hashes());
      byte[] leaf = Merkle.leafHash(Rfc6962Vectors.LEAVES.get((int) v.a()));
      assertTrue(proof.verify(leaf, Rfc6962Vectors.root((int) v.size())), v.toString());
    }
  }

  @Test
  void prove_publishedTree_givesThePublishedProofs() {
    MemoryTree tree = MemoryTree.of(Rfc6962Vectors.LEAVES);
    for (Rfc6962Vectors.Vector v : Rfc6962Vectors.INCLUSION) {
      InclusionProof proof = InclusionProof.prove(v.a(), v.size(), tree.limitedTo(v.size()));
      assertSameHashes(v.hashes(), proof.hashes(), v.toString());
    }
  }

  /** The size-5 vector for leaf 1, and everything that must make it fail. */
  static final Rfc6962Vectors.Vector V = Rfc6962Vectors.INCLUSION.get(4);

  static final byte[] LEAF = Merkle.leafHash(Rfc6962Vectors.LEAVES.get(1));
  static final byte[] ROOT = Rfc6962Vectors.root(5);

  static List<byte[]> mutated(java.util.function.Consumer<List<byte[]>> change) {
    List<byte[]> h = new ArrayList<>(V.hashes());
    change.accept(h);
    return h;
  }

  @Test
  void verify_truncatedProof_fails() {
    assertFalse(new InclusionProof(1, 5, mutated(List::removeLast)).verify(LEAF, ROOT));
    assertFalse(new InclusionProof(1, 5, List.of()).verify(LEAF, ROOT));
  }

  @Test
  void verify_extendedProof_fails() {
    assertFalse(new InclusionProof(1, 5, mutated(h -> h.add(ROOT))).verify(LEAF, ROOT));
    assertFalse(new InclusionProof(1, 5, mutated(h -> h.addFirst(ROOT))).verify(LEAF, ROOT));
    assertFalse(new InclusionProof(1, 5, mutated(h -> h.add(new byte[0]))).verify(LEAF, ROOT));
  }

  @Test
  void verify_flippedBitInAnyHash_fails() {
    for (int i = 0; i < V.proof().size(); i++) {
      int at = i;
      List<byte[]> h = mutated(l -> l.get(at)[0] ^= 8);
      assertFalse(new InclusionProof(1, 5, h).verify(LEAF, ROOT), "hash " + i);
    }
  }

  // The mutations of transparency-dev/merkle cmd/proofgen: index -1, +1, XOR 2; size *2, /2. (Some
  // other sizes share the proof's shape and root: the size is not bound by the hashes.)
  @Test
  void verify_wrongIndexOrSize_fails() {
    for (long[] is : new long[][] {{0, 5}, {2, 5}, {3, 5}, {1, 10}, {1, 2}}) {
      assertFalse(new InclusionProof(is[0], is[1], V.hashes()).verify(LEAF, ROOT), is[0] + "/" + is[1]);
    }
  }

  @Test
  void verify_wrongLeafOrRoot_fails() {
    InclusionProof proof = new InclusionProof(1, 5, V.hashes());
    assertFalse(proof.verify(Merkle.leafHash(new byte[] {1}), ROOT));
    assertFalse(proof.verify(LEAF, Merkle.emptyRoot()));
    assertFalse(proof.verify(LEAF, Rfc6962Vectors.root(6)));
  }

  @Test
  void verify_malformedArguments_returnsFalseAndNeverThrows() {
    InclusionProof proof = new InclusionProof(1, 5, V.hashes());
    assertFalse(proof.verify(null, ROOT));
    assertFalse(proof.verify(LEAF, null));
    assertFalse(proof.verify(new byte[31], ROOT));
    assertFalse(proof.verify(LEAF, new byte[33]));
    assertFalse(new InclusionProof(5, 5, V.hashes()).verify(LEAF, ROOT));
    assertFalse(new InclusionProof(-1, 5, V.hashes()).verify(LEAF, ROOT));
    assertFalse(new InclusionProof(0, 0, List.of()).verify(LEAF, Merkle.emptyRoot()));
    assertFalse(new InclusionProof(0, -1, List.of()).verify(LEAF, ROOT));
  }

  @Test
  void verify_singleLeafTree_needsTheLeafToBeTheRoot() {
    assertTrue(new InclusionProof(0, 1, List.of()).verify(LEAF, LEAF));
    assertFalse(new InclusionProof(0, 1, List.of()).verify(LEAF, ROOT));
  }

  @Test
  void rootFrom_malformedProof_throws() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new InclusionProof(1, 5, mutated(List::removeLast)).rootFrom(LEAF));
  }

  @Test
  void prove_indexNotBelowSize_throws() {
    SubtreeHashes none = (level, index) -> { throw new AssertionError("no read expected"); };
    assertThrows(IllegalArgumentException.class, () -> InclusionProof.prove(0, 0, none));
    assertThrows(IllegalArgumentException.class, () -> InclusionProof.prove(5, 5, none));
    assertThrows(IllegalArgumentException.class, () -> InclusionProof.prove(-1, 5, none));
  }

  @Test
  void record_copiesArraysInAndOut() {
    List<byte[]> hashes = V.hashes();
    InclusionProof proof = new InclusionProof(1, 5, hashes);
    hashes.get(0)[0] ^= 1;
    proof.hashes().get(1)[0] ^= 1;
    assertTrue(proof.verify(LEAF, ROOT));
    assertEquals(new InclusionProof(1, 5, V.hashes()), proof);
    assertNotEquals(new InclusionProof(1, 5, hashes), proof);
    assertThrows(NullPointerException.class, () -> new InclusionProof(1, 5, null));
  }
}
