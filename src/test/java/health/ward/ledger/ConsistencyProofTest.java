package health.ward.ledger;

import static health.ward.ledger.InclusionProofTest.assertSameHashes;
import static health.ward.ledger.InclusionProofTest.ceilLog2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ConsistencyProofTest {
  @Test
  void prove_matchesNaiveSubproof_forEveryPairUpTo130() {
    List<byte[]> entries = MerkleTreeTest.entries(130, 6);
    MemoryTree tree = MemoryTree.of(entries);
    byte[][] roots = new byte[131][];
    for (int n = 0; n <= 130; n++) roots[n] = NaiveMerkle.mth(entries.subList(0, n));
    for (int to = 1; to <= 130; to++) {
      for (int from = 0; from <= to; from++) {
        ConsistencyProof proof = ConsistencyProof.prove(from, to, tree.limitedTo(to));
        String what = from + " -> " + to;
        assertTrue(tree.reads() <= 2 * ceilLog2(to) + 1, what + ": " + tree.reads() + " reads");
        List<byte[]> naive =
            from == 0 || from == to ? List.of() : NaiveMerkle.proof(from, entries.subList(0, to));
        assertSameHashes(naive, proof.hashes(), what);
        assertTrue(proof.verify(roots[from], roots[to]), what);
        if (from > 0 && from < to) {
          assertFalse(proof.verify(roots[to], roots[from]), what + " swapped roots");
          assertFalse(proof.verify(roots[from - 1], roots[to]), what + " older root");
        }
      }
    }
  }

  @Test
  void prove_matchesNaiveSubproof_forRandomLargerTrees() {
    Random random = new Random(7);
    List<byte[]> entries = MerkleTreeTest.entries(3000, 8);
    MemoryTree tree = MemoryTree.of(entries);
    for (int i = 0; i < 60; i++) {
      int to = 131 + random.nextInt(entries.size() - 130);
      int from = 1 + random.nextInt(to - 1);
      ConsistencyProof proof = ConsistencyProof.prove(from, to, tree.limitedTo(to));
      assertSameHashes(NaiveMerkle.proof(from, entries.subList(0, to)), proof.hashes(), from + " -> " + to);
      assertTrue(
          proof.verify(NaiveMerkle.mth(entries.subList(0, from)), NaiveMerkle.mth(entries.subList(0, to))));
    }
  }

  @Test
  void verify_publishedVectors_succeed() {
    for (Rfc6962Vectors.Vector v : Rfc6962Vectors.CONSISTENCY) {
      ConsistencyProof proof = new ConsistencyProof(v.a(), v.size(), v.hashes());
      assertTrue(
          proof.verify(Rfc6962Vectors.root((int) v.a()), Rfc6962Vectors.root((int) v.size())),
          v.toString());
    }
  }

  @Test
  void prove_publishedTree_givesThePublishedProofs() {
    MemoryTree tree = MemoryTree.of(Rfc6962Vectors.LEAVES);
    for (Rfc6962Vectors.Vector v : Rfc6962Vectors.CONSISTENCY) {
      ConsistencyProof proof = ConsistencyProof.prove(v.a(), v.size(), tree.limitedTo(v.size()));
      assertSameHashes(v.hashes(), proof.hashes(), v.toString());
    }
  }

  /** The 6 -> 8 vector, and everything that must make it fail. */
  static final Rfc6962Vectors.Vector V = Rfc6962Vectors.CONSISTENCY.get(2);

  static final byte[] R6 = Rfc6962Vectors.root(6);
  static final byte[] R8 = Rfc6962Vectors.root(8);

  static ConsistencyProof mutated(Consumer<List<byte[]>> change) {
    List<byte[]> h = new ArrayList<>(V.hashes());
    change.accept(h);
    return new ConsistencyProof(6, 8, h);
  }

  @Test
  void verify_truncatedProof_fails() {
    assertFalse(mutated(List::removeLast).verify(R6, R8));
    assertFalse(mutated(List::removeFirst).verify(R6, R8));
    assertFalse(mutated(List::clear).verify(R6, R8));
  }

  @Test
  void verify_extendedProof_fails() {
    assertFalse(mutated(h -> h.add(R8)).verify(R6, R8));
    assertFalse(mutated(h -> h.addFirst(R6)).verify(R6, R8));
    assertFalse(mutated(h -> h.add(new byte[0])).verify(R6, R8));
  }

  @Test
  void verify_flippedBitInAnyHash_fails() {
    for (int i = 0; i < V.proof().size(); i++) {
      int at = i;
      assertFalse(mutated(h -> h.get(at)[0] ^= 4).verify(R6, R8), "hash " + i);
    }
  }

  // The mutations of transparency-dev/merkle cmd/proofgen: from -1, +1, XOR 2; to *2, /2. (Some
  // other sizes share the proof's shape and roots: the sizes are not bound by the hashes.)
  @Test
  void verify_wrongSizesOrRoots_fails() {
    for (long[] ft : new long[][] {{5, 8}, {7, 8}, {4, 8}, {6, 16}, {6, 4}, {8, 6}}) {
      assertFalse(new ConsistencyProof(ft[0], ft[1], V.hashes()).verify(R6, R8), ft[0] + "->" + ft[1]);
    }
    ConsistencyProof proof = new ConsistencyProof(6, 8, V.hashes());
    assertFalse(proof.verify(R8, R6));
    assertFalse(proof.verify(R6, Rfc6962Vectors.root(7)));
    assertFalse(proof.verify(Rfc6962Vectors.root(5), R8));
  }

  @Test
  void verify_malformedArguments_returnsFalseAndNeverThrows() {
    ConsistencyProof proof = new ConsistencyProof(6, 8, V.hashes());
    assertFalse(proof.verify(null, R8));
    assertFalse(proof.verify(R6, null));
    assertFalse(proof.verify(new byte[31], R8));
    assertFalse(new ConsistencyProof(-1, 8, V.hashes()).verify(R6, R8));
    assertFalse(new ConsistencyProof(6, -8, V.hashes()).verify(R6, R8));
  }

  @Test
  void verify_sameSize_needsEmptyProofAndEqualRoots() {
    assertTrue(new ConsistencyProof(8, 8, List.of()).verify(R8, R8));
    assertFalse(new ConsistencyProof(8, 8, List.of()).verify(R8, R6));
    assertFalse(new ConsistencyProof(8, 8, List.of(R8)).verify(R8, R8));
    assertTrue(new ConsistencyProof(0, 0, List.of()).verify(Merkle.emptyRoot(), Merkle.emptyRoot()));
  }

  @Test
  void verify_fromEmptyTree_needsEmptyProofAndTheEmptyRoot() {
    assertTrue(new ConsistencyProof(0, 8, List.of()).verify(Merkle.emptyRoot(), R8));
    assertFalse(new ConsistencyProof(0, 8, List.of()).verify(R6, R8));
    assertFalse(new ConsistencyProof(0, 8, List.of(Merkle.emptyRoot())).verify(Merkle.emptyRoot(), R8));
  }

  @Test
  void prove_trivialCases_areEmpty() {
    SubtreeHashes none = (level, index) -> { throw new AssertionError("no read expected"); };
    assertEquals(List.of(), ConsistencyProof.prove(0, 0, none).hashes());
    assertEquals(List.of(), ConsistencyProof.prove(0, 9, none).hashes());
    assertEquals(List.of(), ConsistencyProof.prove(9, 9, none).hashes());
  }

  @Test
  void prove_fromAfterTo_throws() {
    SubtreeHashes none = (level, index) -> { throw new AssertionError("no read expected"); };
    assertThrows(IllegalArgumentException.class, () -> ConsistencyProof.prove(9, 8, none));
    assertThrows(IllegalArgumentException.class, () -> ConsistencyProof.prove(-1, 8, none));
  }

  @Test
  void prove_inAHugeTree_readsLogarithmicallyMany() {
    int[] reads = {0};
    long to = (1L << 45) + 987654321;
    SubtreeHashes counting =
        (level, index) -> {
          assertTrue((index + 1) << level <= to, "read beyond the tree");
          reads[0]++;
          return new byte[32];
        };
    ConsistencyProof proof = ConsistencyProof.prove((1L << 44) + 12345, to, counting);
    assertTrue(proof.hashes().size() <= 2 * 46);
    assertTrue(reads[0] <= 2 * 46 + 1, reads[0] + " reads");
  }
}
