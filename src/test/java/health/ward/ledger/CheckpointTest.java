package health.ward.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CheckpointTest {
  static final byte[] ROOT = Rfc6962Vectors.root(8);

  @Test
  void body_isTheTlogCheckpointText() {
    assertEquals(
        "ward.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
        new Checkpoint("ward.example/log", 8, ROOT).body());
  }

  @Test
  void body_emptyTree_hasSizeZeroAndTheEmptyRoot() {
    assertEquals(
        "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        new Checkpoint("o", 0, Merkle.emptyRoot()).body());
  }

  @Test
  void parse_ofBody_givesTheSameCheckpoint() {
    Checkpoint c = new Checkpoint("ward.example/log", 1L << 40, ROOT);
    assertEquals(c, Checkpoint.parse(c.body()));
  }

  @Test
  void parse_malformedBodies_throwSayingWhy() {
    String root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
    for (String body :
        new String[] {
          "o\n8\n" + root, // no final newline
          "o\n8\n" + root + "\next\n", // extension line
          "o\n8\n",
          "\n8\n" + root + "\n",
          "o o\n8\n" + root + "\n",
          "o\n08\n" + root + "\n",
          "o\n-8\n" + root + "\n",
          "o\n+8\n" + root + "\n",
          "o\neight\n" + root + "\n",
          "o\n99999999999999999999\n" + root + "\n",
          "o\n8\n" + root.replace("=", "") + "\n",
          "o\n8\n" + "AAAA" + "\n",
          "o\n8\n" + root.replace("X", "!") + "\n",
        }) {
      assertThrows(IllegalArgumentException.class, () -> Checkpoint.parse(body), body);
    }
  }

  @Test
  void constructor_rejectsBadOriginSizeOrRoot() {
    for (String origin : new String[] {"", "a b", "a\nb", "a\tb", "a\u00a0b", "a\u2028b"}) {
      assertThrows(IllegalArgumentException.class, () -> new Checkpoint(origin, 1, ROOT), origin);
    }
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("o", -1, ROOT));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("o", 1, new byte[31]));
    assertThrows(NullPointerException.class, () -> new Checkpoint(null, 1, ROOT));
  }

  @Test
  void record_copiesTheRootInAndOut() {
    byte[] root = ROOT.clone();
    Checkpoint c = new Checkpoint("o", 8, root);
    root[0] ^= 1;
    c.rootHash()[1] ^= 1;
    assertArrayEquals(ROOT, c.rootHash());
  }
}
